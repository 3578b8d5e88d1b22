// Fix-it hints for vLLM: the one place that says what to do about a vLLM server's failures. The
// error mapping, Check Servers (host) and `specreason check` (CLI) all show these.

import { DEFAULT_SERVE_COMMAND, PAPER_MODELS, portOf, serveCommandLine } from '../../launch/serve';
import type { ModelRole, ServerConfig, ServerHints } from '../server';

/** The paper's command for a role (the extension's Start Servers adds its launch settings to it). */
function startCommand(role: ModelRole, server: ServerConfig): string {
  const model = server.model || PAPER_MODELS[role];
  return serveCommandLine({ command: DEFAULT_SERVE_COMMAND, model, port: portOf(server.url), extraArgs: '' });
}

export const VLLM_HINTS: ServerHints = {
  name: 'vLLM',
  startCommand,
  serverDown: (role, server) => `Start it with: ${startCommand(role, server)}`,
  timeout: 'The server may be overloaded or hung; raise the request timeout or restart vLLM.',
  connectionLost: 'The server closed the connection: check that vLLM is still running.',
  serverError: 'vLLM reported an internal error; see its log.',
  notThisKind: 'Is this URL really a vLLM server?',
  noModel: 'Check that vLLM finished loading the model.',
  noLogprobs: 'The score needs logprobs: check that the server allows them (vLLM --max-logprobs ≥ 10).',
  noUsage:
    'vLLM always sends usage when stream_options asks for it: a proxy in between probably drops stream_options. Fix the proxy, or turn streaming off.',
  notEventStream:
    'vLLM answers a streamed request with an event stream: a proxy in between probably does not pass streaming through. Fix the proxy, or turn streaming off.',
  contextLength:
    "The reasoning no longer fits the model's context: lower the token budget or serve with a larger --max-model-len.",
  auth: 'Set the API key the server was started with (--api-key).',
  modelNotFound: 'Check the model name setting, or leave it empty to use the served model.',
};
