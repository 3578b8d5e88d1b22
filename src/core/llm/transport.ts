// The HTTP transport under the openai SDK: undici's `request` adapted to the fetch signature the SDK
// takes, with one deadline per request that holds whatever the server does, and error bodies
// rewritten into a shape the SDK can read. Shared by every server kind.
//
// What it needs from the SDK is public and documented (openai-node's README, "Customizing the fetch
// client", "Configuring proxies", "Retries"): the `fetch` client option, the `fetchOptions.dispatcher`
// request option (handed to that fetch with every attempt), and that each retry is a new fetch call and
// a timed-out (aborted) attempt is retried. A request's deadline travels as its dispatcher (found again
// in a WeakMap: 2.5 µs a request, against 600 µs for the request itself), and counts its attempts itself. test/unit/sdkContract.test.ts fails if the SDK stops
// doing any of this. (The SDK's own `timeout` cannot do it: it is one timer per attempt for the whole
// reply, so a long streamed answer would be cut, and a stalled stream never.)

import { Readable } from 'node:stream';
import { Agent, request as undiciRequest, type Dispatcher } from 'undici';
import { linkedAbort, type LinkedAbort } from '../abort';
import { noteSessionReply, sessionHeaders } from './runSession';

/** How much longer undici's own timers wait than our deadlines, so that ours (with their messages) fire first. */
const BACKSTOP_MS = 1000;

/**
 * undici's Agent options for a request timeout. Its header and body timeouts default to 300 s, which
 * would cut any longer setting short; they are only a backstop behind the request deadlines.
 */
export function agentOptions(timeoutMs: number): Agent.Options {
  const backstop = Math.ceil(timeoutMs) + BACKSTOP_MS; // undici takes whole milliseconds
  return { keepAliveTimeout: 4000, headersTimeout: backstop, bodyTimeout: backstop }; // vLLM's keep-alive is 5 s
}

/** Keep-alive connections shared by every client with the same timeout. */
const agents = new Map<number, Agent>();
export function agentFor(timeoutMs: number): Agent {
  let agent = agents.get(timeoutMs);
  if (!agent) {
    agent = new Agent(agentOptions(timeoutMs));
    agents.set(timeoutMs, agent);
  }
  return agent;
}

/** Which part of a request ran out of time (or of room). */
export interface Expiry {
  /** headers: none came in time; body: a non-streamed reply did not end in time; idle: a stream went silent. */
  phase: 'headers' | 'body' | 'idle' | 'oversize';
  attempt: number;
  attempts: number;
  /** Body bytes received before it happened. */
  bytes: number;
}

export interface DeadlineOptions {
  timeoutMs: number;
  /** A streamed reply: after the headers, the timer restarts with every chunk instead of running on. */
  streamed: boolean;
  /** Attempts the SDK may make (1 + retries), for the message. */
  attempts: number;
  /** Retry a request whose headers did not come in time (off: a timeout is reported at once). */
  retryTimeouts: boolean;
  /** Abort a reply whose body grows past this many bytes. */
  maxBytes: number;
}

/** Deadlines by the dispatcher their requests are sent with (weak: a finished request's deadline goes). */
const deadlines = new WeakMap<object, RequestDeadline>();

/**
 * The deadline of one request, across the SDK's attempts. Give `signal` and `fetchOptions` to the
 * SDK; the transport times each attempt: the headers within timeoutMs, then, for a non-streamed
 * reply, the whole body within the same timeoutMs, or, for a stream, no silence longer than
 * timeoutMs between chunks. When time runs out the whole request is aborted (so the SDK does not
 * retry it) and `expired` says what happened.
 */
export class RequestDeadline {
  expired?: Expiry;
  /** The reply's content type, once its headers came. */
  contentType?: string;
  /**
   * What the request is sent with: the shared keep-alive agent of its timeout, as a dispatcher of its
   * own by which the transport's fetch finds this deadline.
   */
  readonly dispatcher: Dispatcher;
  private readonly _link: LinkedAbort;
  private _endAttempt?: () => void;
  /** Attempts started so far: every attempt is one call of the transport's fetch. */
  private _attempts = 0;

  constructor(
    parent: AbortSignal | undefined,
    readonly options: DeadlineOptions,
  ) {
    this._link = linkedAbort(parent);
    this.dispatcher = agentFor(options.timeoutMs).compose((dispatch) => dispatch);
    deadlines.set(this.dispatcher, this);
  }

  get signal(): AbortSignal {
    return this._link.signal;
  }

  /** Attempts started so far. */
  get attempts(): number {
    return this._attempts;
  }

  /** Request options for the SDK (and for the transport's fetch called directly): the deadline's dispatcher. */
  get fetchOptions(): Pick<RequestInit, 'dispatcher'> {
    // The undici package's Dispatcher type and Node's (undici-types) differ only in their FormData.
    return { dispatcher: this.dispatcher as unknown as RequestInit['dispatcher'] };
  }

  /** The deadline a request sent with `dispatcher` is under, if any. */
  static of(dispatcher: unknown): RequestDeadline | undefined {
    return typeof dispatcher === 'object' && dispatcher !== null ? deadlines.get(dispatcher) : undefined;
  }

  /** Stop the request now, as if its time had run out in this phase. */
  expire(phase: Expiry['phase']): void {
    this._expire?.(phase);
  }
  private _expire?: (phase: Expiry['phase']) => void;

  /** Timers for the next attempt; the transport calls the hooks as the reply comes. */
  startAttempt(fetchSignal: AbortSignal | undefined) {
    const attempt = ++this._attempts;
    this._endAttempt?.();
    this.expired = undefined;
    const { timeoutMs, streamed, attempts, retryTimeouts, maxBytes } = this.options;
    const link = linkedAbort(fetchSignal ?? undefined);
    let headersCame = false;
    let bytes = 0;
    const expire = (phase: Expiry['phase']) => {
      if (this.expired || link.signal.aborted) {
        return;
      }
      this.expired = { phase, attempt, attempts, bytes };
      const retry = retryTimeouts && phase === 'headers' && attempt < attempts;
      (retry ? link.controller : this._link.controller).abort();
    };
    this._expire = expire;
    const timer = setTimeout(() => expire(headersCame ? (streamed ? 'idle' : 'body') : 'headers'), timeoutMs);
    const end = () => {
      clearTimeout(timer);
      link.unlink();
    };
    link.signal.addEventListener('abort', end, { once: true });
    this._endAttempt = end;
    return {
      signal: link.signal,
      headers: (contentType: string | undefined) => {
        headersCame = true;
        this.contentType = contentType;
        if (streamed) {
          timer.refresh();
        }
      },
      data: (size: number) => {
        bytes += size;
        if (bytes > maxBytes) {
          expire('oversize');
        } else if (streamed) {
          timer.refresh();
        }
      },
      end,
    };
  }

  /** Stop the timers and stop listening to the caller's signal. */
  dispose(): void {
    this._endAttempt?.();
    this._link.unlink();
  }
}

/**
 * A fetch over undici's `request` (the same library as Node's built-in fetch, without the WHATWG
 * layers). Measured here: 0.60 ms per SDK request against 0.98 ms over Node 20's fetch, which matters
 * at two requests per reasoning step. Requests that carry a RequestDeadline are timed by it.
 */
export function createFetch(timeoutMs: number): typeof fetch {
  const dispatcher = agentFor(timeoutMs);
  return async (input, init = {}) => {
    const url = String(input instanceof Request ? input.url : input);
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(sessionHeaders(url, init.body))) {
      if (!headers.has(name)) {
        headers.set(name, value); // a run's session header, for a router in front of replicas (routers.ts)
      }
    }
    const deadline = RequestDeadline.of((init as { dispatcher?: unknown }).dispatcher);
    const watch = deadline?.startAttempt(init.signal ?? undefined);
    let reply: Awaited<ReturnType<typeof undiciRequest>>;
    try {
      reply = await undiciRequest(url, {
        method: (init.method ?? 'GET') as 'GET',
        headers: Object.fromEntries(headers),
        body: init.body as string | undefined,
        signal: watch?.signal ?? init.signal ?? undefined,
        dispatcher: deadline?.dispatcher ?? dispatcher,
      });
    } catch (error) {
      watch?.end();
      throw error;
    }
    const responseHeaders = new Headers();
    for (const [name, value] of Object.entries(reply.headers)) {
      for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
        responseHeaders.append(name, String(v));
      }
    }
    watch?.headers(responseHeaders.get('content-type') ?? undefined);
    noteSessionReply(url, init.body, responseHeaders);
    const noBody = reply.statusCode === 204 || reply.statusCode === 304 || init.method === 'HEAD';
    if (noBody) {
      reply.body.resume();
      watch?.end();
    }
    const body = noBody ? null : (Readable.toWeb(reply.body) as ReadableStream<Uint8Array>);
    if (watch && !noBody) {
      reply.body.on('data', (chunk: Buffer) => watch.data(chunk.length));
      reply.body.once('close', watch.end);
    }
    return new Response(body, { status: reply.statusCode, headers: responseHeaders });
  };
}

/** A short, inert summary of an error page: its <title>, else its first line; never markup. */
export function errorPageSummary(text: string): string {
  const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
  const line = title ?? (/^\s*</.test(text) ? 'an HTML page' : (text.trim().split('\n')[0] ?? ''));
  const clean = line
    .replace(/&amp;/g, '&')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return clean.length > 160 ? `${clean.slice(0, 159)}…` : clean;
}

/**
 * openai 6.x reads only `body.error`, so vLLM ≤0.10.0's flat `{"object":"error","message":…}` body and
 * FastAPI's `{"detail":…}` lose their message ("400 status code (no body)"), and an HTML page from a
 * proxy would be shown raw. Rewrite them into the nested shape before the SDK sees them.
 */
export function keepingErrorBodies(fetchImpl: typeof fetch): typeof fetch {
  return async (input, init) => {
    const response = await fetchImpl(input, init);
    if (response.ok) {
      return response;
    }
    const text = await response.text();
    let message: string | undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      message = text.trim() ? errorPageSummary(text) : undefined;
    }
    if (parsed && typeof parsed === 'object' && !('error' in parsed)) {
      const flat = parsed as Record<string, unknown>;
      message =
        typeof flat.message === 'string'
          ? flat.message
          : flat.detail !== undefined
            ? typeof flat.detail === 'string'
              ? flat.detail
              : JSON.stringify(flat.detail)
            : undefined;
      if (message !== undefined) {
        parsed = {
          error: { message, type: flat.type ?? null, param: flat.param ?? null, code: flat.code ?? response.status },
        };
      }
    } else if (message !== undefined) {
      parsed = { error: { message } };
    }
    const headers = new Headers(response.headers);
    headers.delete('content-length');
    headers.delete('content-encoding');
    headers.set('content-type', 'application/json');
    return new Response(parsed === undefined ? text : JSON.stringify(parsed), {
      status: response.status,
      statusText: response.statusText,
      headers,
    });
  };
}
