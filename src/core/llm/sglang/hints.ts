// Fix-it hints for SGLang (python -m sglang.launch_server; default port 30000).

import { PAPER_MODELS, portOf, shellQuote } from '../../launch/serve';
import type { ModelRole, ServerConfig, ServerHints } from '../server';

function startCommand(role: ModelRole, server: ServerConfig): string {
  const model = server.model || PAPER_MODELS[role];
  return `python -m sglang.launch_server --model-path ${shellQuote(model)} --port ${portOf(server.url)} --enable-metrics`;
}

export const SGLANG_HINTS: ServerHints = {
  name: 'SGLang',
  startCommand,
  serverDown: (role, server) => `Start it with: ${startCommand(role, server)}`,
  timeout: 'The server may be overloaded or hung; raise the request timeout or restart SGLang.',
  connectionLost: 'The server closed the connection: check that SGLang is still running.',
  serverError: 'SGLang reported an internal error; see its log.',
  notThisKind: 'Is this URL really an SGLang server? (set the server kind to auto, or to the engine it is)',
  noModel: 'Check that SGLang finished loading the model (GET /get_model_info).',
  noLogprobs:
    'The score needs logprobs: SGLang returns them for logprobs=true with top_logprobs; check the server version.',
  noUsage:
    'SGLang sends usage when stream_options asks for it: a proxy in between probably drops stream_options. Fix the proxy, or turn streaming off.',
  notEventStream:
    'SGLang answers a streamed request with an event stream: a proxy in between probably does not pass streaming through. Fix the proxy, or turn streaming off.',
  contextLength:
    "The reasoning no longer fits the model's context: lower the token budget or start SGLang with a larger --context-length.",
  auth: 'Set the API key the server was started with (--api-key).',
  modelNotFound: 'Check the model name setting, or leave it empty to use the served model.',
};
