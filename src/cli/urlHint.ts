// "Did you mean …/v1?": a base URL without /v1 ends in a 404 that reads like a wrong model name. After a
// failure, ask the same server at URL/v1/models; if that answers with a model list, say so.

import { request } from 'undici';
import type { ServerConfig, SpecReasonConfig } from '../core/config';
import { withV1 } from '../core/llm/serverUrl';
import { writeErr } from './terminal';

export async function v1Hint(server: ServerConfig, flag: string): Promise<string | undefined> {
  const candidate = withV1(server.url);
  if (!candidate) {
    return undefined;
  }
  try {
    const reply = await request(`${candidate.replace(/\/+$/, '')}/models`, {
      headers: { authorization: `Bearer ${server.apiKey || 'EMPTY'}` },
      signal: AbortSignal.timeout(3000),
    });
    const body = (await reply.body.json().catch(() => undefined)) as { data?: unknown } | undefined;
    if (reply.statusCode === 200 && Array.isArray(body?.data)) {
      return `${flag} ${server.url} has no /v1: did you mean ${candidate}? (${candidate}/models answers)`;
    }
  } catch {
    /* no answer there either: nothing to suggest */
  }
  return undefined;
}

/** After a failure: "did you mean …/v1" for a server URL of the config without it that answers there. */
export async function printUrlHints(config: SpecReasonConfig): Promise<void> {
  for (const [server, flag] of [
    [config.base, '--base-url'],
    [config.small, '--small-url'],
  ] as const) {
    const hint = await v1Hint(server, flag);
    if (hint) {
      writeErr(`hint: ${hint}\n`);
    }
  }
}
