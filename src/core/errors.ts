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
  | 'cancelled';

export class SpecReasonError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** One sentence that tells the user what to do. */
    readonly hint?: string,
    /** Which server the error came from, when it came from one. */
    readonly server?: { role: 'base' | 'small'; url: string },
    readonly status?: number,
  ) {
    super(message);
    this.name = 'SpecReasonError';
  }

  toJSON(): ErrorInfo {
    return { code: this.code, message: this.message, hint: this.hint, server: this.server, status: this.status };
  }
}

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  hint?: string;
  server?: { role: 'base' | 'small'; url: string };
  status?: number;
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
  return { code: 'server_error', message: error instanceof Error ? error.message : String(error) };
}
