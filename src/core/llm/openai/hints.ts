// Fix-it hints for a hosted or other OpenAI-compatible server reached through /v1/completions.

import type { ServerHints } from '../server';

export const OPENAI_HINTS: ServerHints = {
  name: 'the OpenAI-compatible server',
  startCommand: (_role, server) => `(a hosted server: check ${server.url} and its API key)`,
  serverDown: (_role, server) => `Check the URL (${server.url}) and your network.`,
  timeout: 'The provider did not answer in time; raise the request timeout or try again later.',
  connectionLost: 'The provider closed the connection; try again.',
  serverError: 'The provider reported an internal error; try again later.',
  notThisKind:
    'Is this URL an OpenAI-compatible server with /v1/completions? (set the server kind to the engine it is)',
  noModel: 'Set the model name for this role: the provider serves many.',
  noLogprobs:
    'The score needs top logprobs from /v1/completions: choose a provider (and model) that returns them, or serve the base model yourself.',
  noUsage:
    'The provider did not send usage at the end of the stream (stream_options.include_usage); turn streaming off.',
  notEventStream: 'The provider did not answer a streamed request with an event stream; turn streaming off.',
  contextLength: "The reasoning no longer fits the model's context: lower the token budget.",
  auth: 'Set the API key of the provider for this role.',
  modelNotFound: "Check the model name setting: it must be the provider's id for the model.",
};
