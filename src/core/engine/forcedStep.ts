// The reference's first `firstNBaseSteps` steps: the base model writes them; nothing is drafted or scored.

import { hasFinishMarker } from './answer';
import { STEP_SEPARATOR } from './messages';
import type { RunContext } from './runContext';
import type { ProducedStep, StepProducer, StepSlot } from './step';

export class ForcedBaseStep implements StepProducer {
  constructor(private readonly _run: RunContext) {}

  async next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    run.emit({ type: 'step-start', stepId, origin: 'base-forced' });
    const request = run.request(steps, run.config.stepMaxTokens, [STEP_SEPARATOR]);
    const reply = await run.clients.base.generate(request, run.signal, (text) =>
      run.emit({ type: 'delta', stepId, model: 'base', phase: 'forced', text }),
    );
    run.count('base', reply);
    run.summary.forced++;
    if (run.oversize(reply)) {
      return { record: run.oversizeStep(stepId, 'base-forced', 'base', reply, startedAt, request), finished: false };
    }
    return {
      record: {
        step_id: stepId,
        step_str: reply.text,
        small_model_step: null,
        num_output_tokens_small: null,
        score: null,
        base_model_step: reply.text,
        num_output_tokens_base: reply.completionTokens,
        final_num_output_tokens: reply.completionTokens,
        justification: null,
        origin: 'base-forced',
        timings: { baseMs: reply.ms, stepMs: 0, startedAt, endedAt: 0 },
        request: run.stepRequest(request),
      },
      finished: hasFinishMarker(reply.text),
    };
  }
}
