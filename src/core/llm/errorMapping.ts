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
  return new SpecReasonError('timeout', `${who} ${what} ${where}`, hints.timeout, { role, url });
}

/** A reply that is not what the server kind sends. */
export function malformedReply(what: string, target: RequestTarget, hint = target.hints.notThisKind): SpecReasonError {
  const { role, url } = target;
  return new SpecReasonError('malformed_reply', `${role} model (${url}) sent a malformed reply: ${what}`, hint, {
    role,
    url,
  });
}

export function toSpecReasonError(error: unknown, target: RequestTarget, signal?: AbortSignal): SpecReasonError {
  if (error instanceof SpecReasonError) {
    return error;
  }
  const { role, url, hints } = target;
  const where = { role, url };
  const who = `${role} model`;
  if (error instanceof MalformedReply) {
    return malformedReply(error.message, target);
  }
  if (error instanceof APIUserAbortError || signal?.aborted || (error as { name?: string })?.name === 'AbortError') {
    return new SpecReasonError('cancelled', 'Run cancelled');
  }
  if (error instanceof APIConnectionTimeoutError || (error as { name?: string })?.name === 'TimeoutError') {
    return new SpecReasonError(
      'timeout',
      `${who} did not answer within ${target.timeoutMs / 1000} s (${url})`,
      hints.timeout,
      where,
    );
  }
  const code = causeCode(error);
  if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
    return new SpecReasonError(
      'server_down',
      `no server at ${url} — is ${hints.name} running?`,
      hints.serverDown(role, target.server),
      where,
    );
  }
  if (
    error instanceof APIConnectionError ||
    code === 'ECONNRESET' ||
    code === 'UND_ERR_SOCKET' ||
    (error instanceof TypeError && /terminated|fetch failed/i.test(error.message))
  ) {
    return new SpecReasonError(
      'stream_dropped',
      `connection to the ${who} was lost (${url})`,
      hints.connectionLost,
      where,
    );
  }
  if (error instanceof APIError) {
    const detail =
      typeof error.error === 'object' && error.error && 'message' in error.error
        ? String((error.error as { message: unknown }).message)
        : error.message.replace(/^\d{3}\s+/, '');
    const status = error.status as number | undefined;
    // An error event inside a stream has no status.
    const message =
      status === undefined ? `${who} (${url}): ${detail}` : `${who} (${url}) answered HTTP ${status}: ${detail}`;
    if (/maximum context length/i.test(detail)) {
      return new SpecReasonError('context_length', message, hints.contextLength, where, status);
    }
    if (status === 401 || status === 403) {
      return new SpecReasonError(
        'auth',
        `${who} (${url}) refused the API key (HTTP ${status})`,
        hints.auth,
        where,
        status,
      );
    }
    if (status === 404) {
      return new SpecReasonError('model_not_found', message, hints.modelNotFound, where, status);
    }
    if (status !== undefined && status < 500) {
      return new SpecReasonError('bad_request', message, undefined, where, status);
    }
    return new SpecReasonError('server_error', message, hints.serverError, where, status);
  }
  if (error instanceof SyntaxError) {
    return malformedReply(`data that is not valid JSON (${error.message})`, target);
  }
  return new SpecReasonError(
    'server_error',
    `${who} (${url}): ${error instanceof Error ? error.message : String(error)}`,
    undefined,
    where,
  );
}
