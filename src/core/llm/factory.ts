// Builds the clients of a run: one per role, of the implementation for the server kind. Adding a
// server kind (SGLang, TGI, llama.cpp's server) is a new ModelServer implementation and a case here.

import type { ModelRole, ServerConfig, SpecReasonConfig } from '../config';
import type { ClientOptions, ModelServer, ServerKind } from './server';
import { VllmClient } from './vllm/client';

export interface ServerPair {
  base: ModelServer;
  small: ModelServer;
}

export function createServer(
  kind: ServerKind,
  role: ModelRole,
  server: ServerConfig,
  options: ClientOptions,
): ModelServer {
  switch (kind) {
    case 'vllm':
      return new VllmClient(role, server, options);
    default: {
      const unknown: never = kind;
      throw new Error(`unknown server kind ${String(unknown)}`);
    }
  }
}

export function clientOptions(config: SpecReasonConfig): ClientOptions {
  return { timeoutMs: config.requestTimeoutSec * 1000, maxRetries: config.maxRetries, stream: config.stream };
}

/** The base and small clients of a config. */
export function createClients(config: SpecReasonConfig, kind: ServerKind = 'vllm'): ServerPair {
  const options = clientOptions(config);
  return {
    base: createServer(kind, 'base', config.base, options),
    small: createServer(kind, 'small', config.small, options),
  };
}
