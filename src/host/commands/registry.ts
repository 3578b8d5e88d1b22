// Commands come in families (one file each, a function from the host to a map of id → handler);
// this registers them all the same way: a handler that throws is logged and shown with "Show Log".

import type { Host } from '../host';
import { errorForLog, errorMessage, showError } from '../notify';

export type CommandHandler = (...args: never[]) => unknown;

/** Command id (as contributed in package.json) → handler. */
export type Commands = Record<string, CommandHandler>;

export type CommandFamily = (host: Host) => Commands;

/**
 * Every family's handlers by command id, each wrapped so that an error is logged and shown. The activation shell
 * (src/extension.ts) registers the contributed commands and calls these once the body is loaded.
 */
export function commandHandlers(
  host: Host,
  families: readonly CommandFamily[],
): Map<string, (...args: unknown[]) => Promise<unknown>> {
  return new Map(
    families.flatMap((family) =>
      Object.entries(family(host)).map(([id, handler]): [string, (...args: unknown[]) => Promise<unknown>] => [
        id,
        async (...args: unknown[]) => {
          try {
            return await handler(...(args as never[]));
          } catch (error) {
            host.log.error(`${id}: ${errorForLog(error, true)}`);
            void showError(errorMessage(error));
            return undefined;
          }
        },
      ]),
    ),
  );
}
