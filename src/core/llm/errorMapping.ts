// Any failure of a request to an OpenAI-compatible server (SDK errors, undici errors, our own
// timers) as a SpecReasonError that names the server and says what to fix.

import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { SpecReasonError } from '../errors';
import { MalformedReply } from './replies';
import type { ModelRole, ServerConfig, ServerHints } from './server';
import type { Expiry } from './transport';

/** The server a request went to, for messages and hints. */
export interface RequestTarget {
  role: ModelRole;
  url: string;
  server: ServerConfig;
  timeoutMs: number;
  hints: ServerHints;
}

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** What a request deadline cut short, said as it happened. */
export function timeoutError(expiry: Expiry, target: RequestTarget): SpecReasonError {
  const { role, url, hints } = target;
  const who = `${role} model`;
  const seconds = `${target.timeoutMs / 1000} s`;
  const where = `(${url}; attempt ${expiry.attempt} of ${expiry.attempts})`;
  if (expiry.phase === 'oversize') {
    return malformedReply(`it sent more than ${Math.round(expiry.bytes / 1e6)} MB, far beyond max_tokens`, target);
  }
  const what =
    expiry.phase === 'headers'
      ? `did not answer within ${seconds}`
      : expiry.phase === 'body'
        ? `did not finish its reply within ${seconds}: the headers came, the rest did not`
        : expiry.bytes === 0
          ? `sent its headers, then nothing for ${seconds}`
          : `sent nothing for ${seconds} mid-reply`;
  return new SpecReasonError('timeout', `${who} ${what} ${where}`, { hint: hints.timeout, server: { role, url } });
}

/** A reply that is not what the server kind sends. */
export function malformedReply(
  what: string,
  target: RequestTarget,
  hint = target.hints.notThisKind,
  cause?: unknown,
): SpecReasonError {
  const { role, url } = target;
  return new SpecReasonError('malformed_reply', `${role} model (${url}) sent a malformed reply: ${what}`, {
    hint,
    server: { role, url },
    cause,
  });
}

export function toSpecReasonError(error: unknown, target: RequestTarget, signal?: AbortSignal): SpecReasonError {
  if (error instanceof SpecReasonError) {
    return error;
  }
  const { role, url, hints } = target;
  const server = { role, url };
  const who = `${role} model`;
  if (error instanceof MalformedReply) {
    return malformedReply(error.message, target);
  }
  if (error instanceof APIUserAbortError || signal?.aborted || (error as { name?: string })?.name === 'AbortError') {
    return new SpecReasonError('cancelled', 'Run cancelled');
  }
  if (error instanceof APIConnectionTimeoutError || (error as { name?: string })?.name === 'TimeoutError') {
    return new SpecReasonError('timeout', `${who} did not answer within ${target.timeoutMs / 1000} s (${url})`, {
      hint: hints.timeout,
      server,
      cause: error,
    });
  }
  const code = causeCode(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
    return new SpecReasonError('server_down', `no server at ${url} — is ${hints.name} running?`, {
      hint: hints.serverDown(role, target.server),
      server,
      cause: error,
    });
  }
  if (
    error instanceof APIConnectionError ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET' ||
    (error instanceof TypeError && /terminated|fetch failed/i.test(error.message))
  ) {
    return new SpecReasonError('stream_dropped', `connection to the ${who} was lost (${url})`, {
      hint: hints.connectionLost,
      server,
      cause: error,
    });
  }
  if (error instanceof APIError) {
    return fromApiError(error, target);
  }
  if (error instanceof SyntaxError) {
    return malformedReply(`data that is not valid JSON (${error.message})`, target, undefined, error);
  }
  return new SpecReasonError(
    'server_error',
    `${who} (${url}): ${error instanceof Error ? error.message : String(error)}`,
    {
      server,
      cause: error,
    },
  );
}

/** An HTTP error status, or an error event inside a stream (no status), by what the server said. */
function fromApiError(
  error: { status?: unknown; error?: unknown; message: string },
  target: RequestTarget,
): SpecReasonError {
  const { role, url, hints } = target;
  const who = `${role} model`;
  const detail =
    typeof error.error === 'object' && error.error && 'message' in error.error
      ? String(error.error.message)
      : error.message.replace(/^\d{3}\s+/, '');
  const status = typeof error.status === 'number' ? error.status : undefined;
  const options = { server: { role, url }, status, cause: error };
  const message =
    status === undefined ? `${who} (${url}): ${detail}` : `${who} (${url}) answered HTTP ${status}: ${detail}`;
  if (/maximum context length/i.test(detail)) {
    return new SpecReasonError('context_length', message, { ...options, hint: hints.contextLength });
  }
  if (status === 401 || status === 403) {
    return new SpecReasonError('auth', `${who} (${url}) refused the API key (HTTP ${status})`, {
      ...options,
      hint: hints.auth,
    });
  }
  if (status === 404) {
    return new SpecReasonError('model_not_found', message, { ...options, hint: hints.modelNotFound });
  }
  if (status !== undefined && status < 500) {
    return new SpecReasonError('bad_request', message, options);
  }
  return new SpecReasonError('server_error', message, { ...options, hint: hints.serverError });
}
