// Fix-it hints for llama.cpp's llama-server (one model per server; default port 8080).

import { portOf, shellQuote } from '../../launch/serve';
import type { ModelRole, ServerConfig, ServerHints } from '../server';

const GGUF: Readonly<Record<ModelRole, string>> = {
  base: 'QwQ-32B-Q4_K_M.gguf',
  small: 'DeepSeek-R1-Distill-Qwen-1.5B-Q8_0.gguf',
};

function startCommand(role: ModelRole, server: ServerConfig): string {
  return `llama-server -m ${shellQuote(server.model || GGUF[role])} --port ${portOf(server.url)} --jinja --metrics -c 16384`;
}

export const LLAMA_SERVER_HINTS: ServerHints = {
  name: 'llama-server',
  startCommand,
  serverDown: (role, server) => `Start it with: ${startCommand(role, server)}`,
  timeout:
    'llama-server may be busy with another request (start it with more slots, -np) or hung; raise the request timeout or restart it.',
  connectionLost: 'The server closed the connection: check that llama-server is still running.',
  serverError: 'llama-server reported an internal error; see its log.',
  notThisKind: 'Is this URL really a llama-server? (set the server kind to auto, or to the engine it is)',
  noModel: 'Check that llama-server finished loading the model (GET /health answers 200).',
  noLogprobs: 'The score needs token probabilities: llama-server gives them for n_probs; update llama.cpp.',
  noUsage: 'llama-server reports tokens_predicted in its last event: a proxy in between probably cuts the stream.',
  notEventStream:
    'llama-server answers a streamed request with an event stream: a proxy in between probably does not pass streaming through. Fix the proxy, or turn streaming off.',
  contextLength:
    "The reasoning no longer fits the model's context: lower the token budget or start llama-server with a larger -c (context size).",
  auth: 'Set the API key the server was started with (--api-key).',
  modelNotFound: 'llama-server serves one model: leave the model name empty, or set the one it serves.',
};
