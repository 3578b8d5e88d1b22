// The exact requests a step used, rebuilt from its run's records: the messages from the run's prompt and
// the steps before it (as the engine builds them), the parameters and models from the step's `request`,
// the route and body of each role's engine (the run's `requestFormats`; vLLM when absent) by the same code
// the client sends them with. The panel's "Request" view shows these.

import type { ModelRole, RunMode } from '../config';
import { scoreMessages, stepMessages } from './messages';
import { sentGenerate, sentScore, sentScoreList, type RequestFormat } from '../llm/requestBodies';
import { firstTokenRequest, generateBody, withTopLogprobs } from '../llm/vllm/body';
import { FIRST_TOKEN_ALTERNATIVES } from './policies/names';
import type { RunRecord, StepRecord } from './runRecord';

export interface ShownRequest {
  /** What the request was for: "Draft", "Score", "Rewrite", "Step", "Whole answer". */
  purpose: string;
  role: ModelRole;
  /** The route it was POSTed to: /v1/chat/completions, llama-server's /completion, Ollama's /api/generate… */
  path: string;
  /** The JSON body. */
  body: Record<string, unknown>;
}

/**
 * The requests of step `index` of a run, in the order they were made; undefined for a record written before
 * steps kept their request parameters.
 */
export function stepRequests(
  prompt: string,
  mode: RunMode,
  steps: readonly StepRecord[],
  index: number,
  formats: RunRecord['requestFormats'] = {},
): ShownRequest[] | undefined {
  const step = steps[index];
  const params = step?.request;
  if (!step || !params) {
    return undefined;
  }
  const context = steps.slice(0, index).map((s) => s.step_str);
  const model = (role: ModelRole) => params.models[role] ?? `(the ${role} server's model)`;
  const generation = (purpose: string, role: ModelRole, stream = params.stream): ShownRequest => ({
    purpose,
    role,
    ...sentGenerate(
      formats[role],
      model(role),
      {
        ...stepMessages(prompt, context),
        maxTokens: params.maxTokens,
        temperature: params.temperature,
        topP: params.topP,
        ...(params.stop ? { stop: params.stop } : {}),
      },
      stream,
    ),
  });
  const score = (purpose: string, role: ModelRole, messages: ReturnType<typeof scoreMessages>): ShownRequest => ({
    purpose,
    role,
    ...sentScore(formats[role], model(role), messages),
  });
  const policy = step.decision?.policy;
  if (policy === 'first-token') {
    // The small model's one-token probe, then the step by the model it routed to.
    const request = firstTokenRequest({
      ...stepMessages(prompt, context),
      maxTokens: params.maxTokens,
      temperature: params.temperature,
      topP: params.topP,
    });
    const probe = withTopLogprobs(generateBody(model('small'), request), FIRST_TOKEN_ALTERNATIVES);
    const writer = step.origin === 'small' ? 'small' : 'base';
    // The probe is shown as vLLM's chat body (the first-token policy's own request).
    return [
      { purpose: 'First token', role: 'small', path: '/v1/chat/completions', body: { ...probe } },
      generation('Step', writer),
    ];
  }
  if (policy === 'self-check' && step.small_model_step !== null) {
    const messages = scoreMessages(prompt, [...context, step.small_model_step]);
    const requests = [generation('Draft', 'small'), score('Self-score', 'small', messages)];
    if (step.score !== null) {
      requests.push(score('Score', 'base', messages));
    }
    if (step.origin === 'base-fallback') {
      requests.push(generation('Rewrite', 'base'));
    }
    return requests;
  }
  if ((policy === 'lookahead' || policy === 'multi-draft') && step.scoredTogether) {
    return scoredTogether(policy, prompt, context, step, { generation, score, model, format: formats.base });
  }
  switch (step.origin) {
    case 'baseline':
      return [generation('Whole answer', mode === 'small' ? 'small' : 'base')];
    case 'base-forced':
      return [generation('Step', 'base')];
    case 'small':
    case 'base-fallback': {
      const requests = [generation('Draft', 'small')];
      if (step.score !== null && step.small_model_step !== null) {
        const messages = scoreMessages(prompt, [...context, step.small_model_step]);
        requests.push(score('Score', 'base', messages));
      }
      if (step.origin === 'base-fallback') {
        requests.push(generation('Rewrite', 'base'));
      }
      return requests;
    }
    default: {
      const never: never = step.origin;
      return never;
    }
  }
}

/** What the step builders of stepRequests are, for the requests of a step scored with others. */
interface Builders {
  generation: (purpose: string, role: ModelRole, stream?: boolean) => ShownRequest;
  score: (purpose: string, role: ModelRole, messages: ReturnType<typeof scoreMessages>) => ShownRequest;
  model: (role: ModelRole) => string;
  format: RequestFormat | undefined;
}

/**
 * A lookahead or multi-draft step: its draft request (multi-draft: the n drafts in one), the base model's scores
 * of every draft scored with it (one prompt list, or one request each), and the rewrite of a rejected draft.
 * lookahead: prompt i holds drafts 1..i after the steps before the window; multi-draft: each draft after the steps.
 */
function scoredTogether(
  policy: 'lookahead' | 'multi-draft',
  prompt: string,
  context: readonly string[],
  step: StepRecord,
  { generation, score, model, format }: Builders,
): ShownRequest[] {
  const together = step.scoredTogether!;
  const before = policy === 'lookahead' ? context.slice(0, context.length - together.index) : context;
  const chats = together.drafts.map((_, i) =>
    scoreMessages(prompt, [
      ...before,
      ...(policy === 'lookahead' ? together.drafts.slice(0, i + 1) : [together.drafts[i]!]),
    ]),
  );
  const n = together.drafts.length;
  const requests = [
    generation(
      policy === 'multi-draft' ? `${n} drafts` : 'Draft',
      'small',
      policy === 'multi-draft' ? false : undefined,
    ),
  ];
  if (policy === 'multi-draft') {
    requests[0]!.body = { ...requests[0]!.body, n }; // the n drafts in one request, never streamed
  }
  if (together.oneRequest) {
    requests.push({ purpose: 'Scores (prompt list)', role: 'base', ...sentScoreList(format, model('base'), chats) });
  } else {
    requests.push(...chats.map((chat, i) => score(`Score of draft ${i + 1}`, 'base', chat)));
  }
  if (step.origin === 'base-fallback') {
    requests.push(generation('Rewrite', 'base'));
  }
  return requests;
}
