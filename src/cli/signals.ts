// SIGINT (Ctrl+C), SIGTERM and SIGHUP all cancel the run the same way: the partial run is still written,
// and the exit code says which signal it was (128 + its number). A second signal ends the process at once.

import { constants } from 'node:os';

const CANCELLING = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
type CancellingSignal = (typeof CANCELLING)[number];

export interface SignalCancel {
  /** The signal that cancelled the run, if one did. */
  readonly received: CancellingSignal | undefined;
  /** 128 + the signal's number (130, 143, 129), or undefined when no signal came. */
  readonly exitCode: number | undefined;
  dispose(): void;
}

export function cancelOnSignals(controller: AbortController, say: (line: string) => void): SignalCancel {
  let received: CancellingSignal | undefined;
  const dispose = () => {
    for (const name of CANCELLING) {
      process.removeListener(name, handlers[name]);
    }
  };
  const handlers = Object.fromEntries(
    CANCELLING.map((name) => [
      name,
      () => {
        received = name;
        dispose(); // a second signal gets the default action: the process ends
        say(`\ncancelling (${name})… (the partial run is kept)\n`);
        controller.abort();
      },
    ]),
  ) as Record<CancellingSignal, () => void>;
  for (const name of CANCELLING) {
    process.once(name, handlers[name]);
  }
  return {
    get received() {
      return received;
    },
    get exitCode() {
      return received === undefined ? undefined : 128 + constants.signals[received];
    },
    dispose,
  };
}
