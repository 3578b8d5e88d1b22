// The session header on a run's requests (routers.ts says which header for which router): a run executes
// inside inRunSession, and the transport every server kind shares asks for the header of each request it
// sends and keeps the token an echo router (llm-d) returns. AsyncLocalStorage carries the run through its
// awaits, so concurrent runs (a comparison, an evaluation) each send their own id.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { SessionRouting } from './routers';

interface RunSession {
  runId: string;
  routing: SessionRouting;
  /** Tokens a router issued (echo mode), per server and model. */
  tokens: Map<string, string>;
}

const current = new AsyncLocalStorage<RunSession>();

/** Run `fn` as one session: every request made inside it carries the run's session header. */
export function inRunSession<T>(runId: string, routing: SessionRouting | undefined, fn: () => T): T {
  return routing ? current.run({ runId, routing, tokens: new Map() }, fn) : fn();
}

/**
 * Which issued token a request gets back: the server's origin and the model asked for. Undefined for a
 * request without a model (a model list), which routers do not schedule: it neither sends nor keeps one.
 */
function tokenKey(url: string, body: unknown): string | undefined {
  if (typeof body !== 'string' || !body.includes('"model"')) {
    return undefined;
  }
  try {
    const { model } = JSON.parse(body) as { model?: unknown };
    return typeof model === 'string' ? `${new URL(url).origin}|${model}` : undefined;
  } catch {
    return undefined;
  }
}

/** The session header for a request made now (none outside a run, or before an echo router issued one). */
export function sessionHeaders(url: string, body: unknown): Record<string, string> {
  const session = current.getStore();
  if (!session) {
    return {};
  }
  const { routing } = session;
  if (routing.mode === 'key') {
    return { [routing.header]: session.runId };
  }
  const key = tokenKey(url, body);
  const token = key === undefined ? undefined : session.tokens.get(key);
  return token ? { [routing.header]: token } : {};
}

/** Keep the token an echo router put on its reply, for the run's next requests to the same server and model. */
export function noteSessionReply(url: string, body: unknown, headers: Headers): void {
  const session = current.getStore();
  if (session?.routing.mode !== 'echo') {
    return;
  }
  const token = headers.get(session.routing.header);
  const key = tokenKey(url, body);
  if (token && key !== undefined) {
    session.tokens.set(key, token);
  }
}
