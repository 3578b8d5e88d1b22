// Server URLs at the boundary: one rule for the CLI and the extension. A URL with a user name or password
// is refused (never stripped and sent on): whatever is in it would end up in progress lines, logs, run
// records and exports. A vLLM server takes its secret as the API key, which is kept out of all of those.

/** Where the API key goes instead of the URL, for the message of each front end. */
export interface KeyAdvice {
  /** e.g. "set SPECREASON_API_KEY" or "use SpecReason: Set API Key". */
  howToSetKey: string;
}

const USER_INFO = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/?#\s@]*@/gi;

/** Text with the user-info part of every URL in it replaced by `***`: for echoing what a user typed. */
export function redactUrlUserInfo(text: string): string {
  return text.replace(USER_INFO, '$1***@');
}

/**
 * Why `value` cannot be a server's base URL, or undefined when it can. `name` is what the message calls it
 * (a setting id or a flag). The message never repeats a user name or password.
 */
export function serverUrlProblem(name: string, value: string, advice: KeyAdvice): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return `${name} is not a URL: ${JSON.stringify(redactUrlUserInfo(value))} (expected e.g. http://localhost:30000/v1)`;
  }
  const shown = redactUrlUserInfo(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `${name} must use http or https (got ${url.protocol})`;
  }
  if (url.username || url.password) {
    return (
      `${name} has a user name or password in it (${shown}); they would be shown in logs and run records. ` +
      `Remove them; for a server started with --api-key, ${advice.howToSetKey}`
    );
  }
  if (value.includes('?') || value.includes('#')) {
    return `${name} must not have a query (?…) or fragment (#…): request paths such as /chat/completions are appended to it (got ${shown})`;
  }
  return undefined;
}

/** scheme://host:port of a URL (what an API key is bound to); undefined when it does not parse. */
export function urlOrigin(value: string): string | undefined {
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/** The URL with `/v1` appended, when its path does not already end in `/v1`; otherwise undefined. */
export function withV1(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (path.endsWith('/v1')) {
    return undefined;
  }
  url.pathname = `${path}/v1`;
  return url.href;
}
