// Fix-it hints for Ollama (native API on port 11434; one Ollama serves both roles, two model names).

import type { ModelRole, ServerConfig, ServerHints } from '../server';

/** The paper's pair as Ollama library tags. */
export const OLLAMA_MODELS: Readonly<Record<ModelRole, string>> = {
  base: 'qwq:32b',
  small: 'deepseek-r1:1.5b',
};

function startCommand(role: ModelRole, server: ServerConfig): string {
  return `ollama serve   # then: ollama pull ${server.model || OLLAMA_MODELS[role]}`;
}

export const OLLAMA_HINTS: ServerHints = {
  name: 'Ollama',
  startCommand,
  serverDown: (role, server) => `Start it with: ${startCommand(role, server)}`,
  timeout: 'Ollama may still be loading the model into memory, or be out of memory; raise the request timeout.',
  connectionLost: 'The server closed the connection: check that Ollama is still running (ollama ps).',
  serverError: 'Ollama reported an internal error; see its log (journalctl -u ollama, or ~/.ollama/logs).',
  notThisKind: 'Is this URL really Ollama? (set the server kind to auto, or to the engine it is)',
  noModel: 'Set the model name for this role (e.g. deepseek-r1:1.5b): one Ollama serves several models.',
  noLogprobs: 'The score needs logprobs: Ollama returns them since 0.12.11. Upgrade Ollama.',
  noUsage: 'Ollama reports eval_count in its last line: a proxy in between probably cuts the stream.',
  notEventStream: 'Ollama streams newline-delimited JSON: a proxy in between probably changes the reply.',
  contextLength:
    "The reasoning no longer fits the model's context: lower the token budget, or use a model with a longer context.",
  auth: 'A proxy in front of Ollama wants an API key: set it for this role.',
  modelNotFound: 'Pull the model first (ollama pull NAME), or check the model name setting.',
};
