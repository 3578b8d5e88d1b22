// Errors with stable codes, so the CLI, the panel and the tests can tell them apart.

export type ErrorCode =
  | 'server_down' // nothing listens at the URL
  | 'timeout' // no answer (or no chunk) within the request timeout
  | 'auth' // 401/403: the server wants an API key
  | 'model_not_found' // 404 from the model name
  | 'context_length' // prompt exceeds the model's maximum context length
  | 'bad_request' // other 4xx
  | 'server_error' // 5xx, or an error event inside a stream
  | 'stream_dropped' // the connection closed before the stream finished
  | 'malformed_reply' // a reply that is not what the server kind sends (shape, counts, size)
  | 'unsupported' // the servers cannot serve what the run asks (a step policy's needs)
  | 'cancelled';

/** What a SpecReasonError says besides its code and message. */
export interface SpecReasonErrorOptions {
  /** One sentence that tells the user what to do. */
  hint?: string;
  /** Which server the error came from, when it came from one. */
  server?: { role: 'base' | 'small'; url: string };
  /** The HTTP status of the reply, when there was one. */
  status?: number;
  /** The error underneath (the SDK's, undici's, the parser's): kept as `cause`, and described in the logs. */
  cause?: unknown;
}

export class SpecReasonError extends Error {
  readonly hint?: string;
  readonly server?: { role: 'base' | 'small'; url: string };
  readonly status?: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: SpecReasonErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SpecReasonError';
    this.hint = options.hint;
    this.server = options.server;
    this.status = options.status;
  }

  toJSON(): ErrorInfo {
    const cause = describeCause(this.cause);
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      server: this.server,
      status: this.status,
      ...(cause ? { cause } : {}),
    };
  }
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
  server?: { role: 'base' | 'small'; url: string };
  status?: number;
  /** The underlying errors, one line (describeCause): for the logs, not for the user's eyes first. */
  cause?: string;
}

/** A run's error as one log line: `code: message (cause: …)`. */
export function errorLogLine(info: ErrorInfo): string {
  return `${info.code}: ${info.message}${info.cause ? ` (cause: ${info.cause})` : ''}`;
}

/** Longest cause line kept: enough for a chain of three or four errors, not for a whole error page. */
const CAUSE_MAX = 400;

/**
 * The chain of underlying errors on one line, outermost first, each as `Name: message [code]`, e.g.
 * `TypeError: fetch failed ← Error: connect ECONNREFUSED 127.0.0.1:8000`; undefined when there is none.
 */
export function describeCause(cause: unknown): string | undefined {
  const parts: string[] = [];
  let e: unknown = cause;
  for (let depth = 0; e !== undefined && e !== null && depth < 5; depth++) {
    if (!(e instanceof Error)) {
      parts.push(typeof e === 'string' || typeof e === 'number' ? String(e) : `a thrown ${typeof e}`);
      break;
    }
    const code = (e as { code?: unknown }).code;
    const tag = typeof code === 'string' && !e.message.includes(code) ? ` [${code}]` : '';
    parts.push(`${e.name}: ${e.message}${tag}`);
    e = e.cause;
  }
  const line = parts
    .join(' ← ')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!line) {
    return undefined;
  }
  return line.length > CAUSE_MAX ? `${line.slice(0, CAUSE_MAX - 1)}…` : line;
}

export function isAbortError(error: unknown): boolean {
  if (error instanceof SpecReasonError) {
    return error.code === 'cancelled';
  }
  const name = (error as { name?: string } | null)?.name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}

export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof SpecReasonError) {
    return error.toJSON();
  }
  const cause = error instanceof Error ? describeCause(error.cause) : undefined;
  return {
    code: 'server_error',
    message: error instanceof Error ? error.message : String(error),
    ...(cause ? { cause } : {}),
  };
}
