// Which engine serves a URL, found by asking it once: each engine has a route no other has (read in
// their sources: Ollama's GET /api/version, llama-server's GET /props with default_generation_settings,
// SGLang's GET /get_model_info with model_path, vLLM's GET /version). The four go out together; the
// answer is kept per URL for the life of the process (forgotten when the server stops answering, as a
// new one may start on its port). Nothing distinctive but a model list at /v1/models: an
// OpenAI-compatible provider. Nothing at all (down, hung, not an engine): vLLM, as before there were
// kinds, so that the vLLM client says what is wrong — except on Ollama's own port.

import type { ServerConfig } from '../config';
import { linkedAbort } from '../abort';
import type { ServerKind } from './server';
import { createFetch } from './transport';

const detected = new Map<string, Promise<ServerKind | undefined>>();

/** scheme://host:port[/prefix] without /v1 and trailing slashes: the key of the cache. */
export function serverRoot(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

/** The kind found for a URL, if it was asked already and answered. */
export async function knownKind(url: string): Promise<ServerKind | undefined> {
  return detected.get(serverRoot(url));
}

/** Forget what a URL was (its server went away; another may come). */
export function forgetKind(url: string): void {
  detected.delete(serverRoot(url));
}

/** The kind to assume when the URL cannot be asked. */
export function fallbackKind(url: string): ServerKind {
  try {
    return new URL(url).port === '11434' ? 'ollama' : 'vllm';
  } catch {
    return 'vllm';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Ask the server at `server.url` which engine it is (once per URL); undefined when nothing answered. */
export function detectKind(
  server: ServerConfig,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ServerKind | undefined> {
  const root = serverRoot(server.url);
  let pending = detected.get(root);
  if (!pending) {
    pending = probe(root, server.apiKey, timeoutMs, signal);
    detected.set(root, pending);
    // Not cached when nothing answered (or the caller gave up): the next call asks again.
    void pending.then(
      (kind) => kind === undefined && detected.get(root) === pending && detected.delete(root),
      () => detected.get(root) === pending && detected.delete(root),
    );
  }
  return pending;
}

async function probe(
  root: string,
  apiKey: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ServerKind | undefined> {
  const fetchImpl = createFetch(timeoutMs);
  const link = linkedAbort(signal);
  const timer = setTimeout(() => link.controller.abort(), Math.min(timeoutMs, 10_000));
  let answered = false;
  const get = async (path: string): Promise<unknown> => {
    try {
      const response = await fetchImpl(`${root}${path}`, {
        signal: link.signal,
        headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
      });
      answered = true;
      const text = await response.text();
      if (!response.ok) {
        return undefined;
      }
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return undefined;
      }
    } catch {
      return undefined;
    }
  };
  try {
    const [ollama, props, sglang, vllm] = await Promise.all([
      get('/api/version'),
      get('/props'),
      get('/get_model_info'),
      get('/version'),
    ]);
    if (signal?.aborted) {
      throw signal.reason ?? new Error('aborted');
    }
    if (isObject(ollama) && typeof ollama.version === 'string') {
      return 'ollama';
    }
    if (isObject(props) && ('default_generation_settings' in props || 'chat_template' in props)) {
      return 'llama-server';
    }
    if (isObject(sglang) && 'model_path' in sglang) {
      return 'sglang';
    }
    if (isObject(vllm) && typeof vllm.version === 'string') {
      return 'vllm';
    }
    if (!answered) {
      return undefined;
    }
    const models = await get('/v1/models');
    if (
      isObject(models) &&
      Array.isArray(models.data) &&
      models.data.every((m) => isObject(m) && m.owned_by !== 'vllm')
    ) {
      return models.data.length > 0 ? 'openai' : 'vllm';
    }
    return 'vllm';
  } finally {
    clearTimeout(timer);
    link.unlink();
  }
}
