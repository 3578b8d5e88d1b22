// The SpecReason loop with a step producer of the test's own (the interface step policies plug into):
// the loop keeps what the producer decides, applies the stop rules to every step, and cleans up.

import assert from 'node:assert/strict';
import { hasFinishMarker } from '../../src/core/engine/answer';
import type { RunContext } from '../../src/core/engine/runContext';
import type { ProducedStep, StepPolicy, StepProducer, StepSlot } from '../../src/core/engine/step';
import type { GenerateResult } from '../../src/core/llm/server';
import type { StepRecord } from '../../src/core/engine/runRecord';
import { failOnUnhandledRejections, numbered, runScripted, type ConfigOverrides } from './helpers';

/** Hands out scripted step texts (each `tokens` long) and remembers the slots it was asked for. */
class Scripted implements StepProducer {
  readonly slots: Array<{ stepId: number; steps: string[] }> = [];
  constructor(
    private readonly _run: RunContext,
    private readonly _texts: readonly string[],
    private readonly _tokens = 10,
  ) {}

  next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    this.slots.push({ stepId, steps: [...steps] });
    const text = this._texts[this.slots.length - 1];
    if (text === undefined) {
      return Promise.reject(new Error('the script ran out'));
    }
    this._run.emit({ type: 'step-start', stepId, origin: 'draft' });
    const record: StepRecord = {
      step_id: stepId,
      step_str: text,
      small_model_step: text,
      num_output_tokens_small: this._tokens,
      score: null,
      base_model_step: null,
      num_output_tokens_base: null,
      final_num_output_tokens: this._tokens,
      justification: null,
      origin: 'small',
      timings: { stepMs: 0, startedAt, endedAt: 0 },
    };
    return Promise.resolve({ record, finished: hasFinishMarker(text) });
  }
}

/** A run whose steps after the forced ones come from a Scripted producer (also returned, to read its slots). */
async function runProducer(texts: string[], overrides: ConfigOverrides = {}, tokens?: number) {
  let producer: Scripted | undefined;
  const stepPolicy: StepPolicy = (run) => (producer = new Scripted(run, texts, tokens));
  const result = await runScripted(numbered(4), overrides, {}, () => ({ stepPolicy }));
  return { ...result, producer: producer! };
}

describe('the SpecReason loop over a step producer', () => {
  failOnUnhandledRejections();

  it("keeps the producer's steps in order, each asked for with the steps kept before it", async () => {
    const { record, producer, events, base, small } = await runProducer(['a', 'b', 'So $\\boxed{42}$.']);
    assert.deepEqual(producer.slots, [
      { stepId: 0, steps: [] },
      { stepId: 1, steps: ['a'] },
      { stepId: 2, steps: ['a', 'b'] },
    ]);
    assert.deepEqual(
      record.steps.map((s) => [s.step_str, s.stop_reason]),
      [
        ['a', undefined],
        ['b', undefined],
        ['So $\\boxed{42}$.', 'finished'],
      ],
    );
    assert.equal(record.summary.stopReason, 'finished');
    assert.equal(record.summary.answer, '42');
    assert.deepEqual(
      events.filter((e) => e.type === 'step-done').map((e) => e.type === 'step-done' && e.record.step_id),
      [0, 1, 2],
    );
    assert.equal(events.at(-1)?.type, 'run-done');
    assert.equal(base.length + small.length, 0, 'the loop itself sends no generation request');
    for (const s of record.steps) {
      assert.ok(s.timings.endedAt >= s.timings.startedAt && s.timings.stepMs >= 0, 'the loop times each step');
    }
  });

  it('forced base steps come first from the base server, then the policy takes over', async () => {
    const { record, producer, base } = await runProducer(['x', 'y \\boxed{1}'], { firstNBaseSteps: 2 });
    assert.deepEqual(
      record.steps.map((s) => s.origin),
      ['base-forced', 'base-forced', 'small', 'small'],
    );
    assert.equal(base.length, 2);
    assert.deepEqual(producer.slots[0], { stepId: 2, steps: record.steps.slice(0, 2).map((s) => s.step_str) });
    assert.equal(record.summary.forced, 2);
  });

  it('the stop rules apply to every produced step: a repeated step, the budget, the step guard', async () => {
    const repeated = await runProducer(['a', 'b', 'b', 'c']);
    assert.equal(repeated.record.steps.length, 3);
    assert.equal(repeated.record.summary.stopReason, 'finished');

    const budget = await runProducer(['a', 'b', 'c', 'd'], { tokenBudget: 25 }, 10);
    assert.deepEqual(
      budget.record.steps.map((s) => s.stop_reason),
      [undefined, undefined, 'budget'],
    );

    const guard = await runProducer(['a', 'b', 'c', 'd'], { maxSteps: 2 });
    assert.equal(guard.record.summary.stopReason, 'max_steps');
    assert.equal(guard.record.steps.length, 2);
  });

  it('a step the producer gives a stop reason ends the run with it', async () => {
    const stepPolicy: StepPolicy = (run) => {
      const inner = new Scripted(run, ['a', 'b', 'c']);
      return {
        next: async (slot) => {
          const produced = await inner.next(slot);
          if (slot.stepId === 1) {
            produced.record.stop_reason = 'max_step_chars';
          }
          return produced;
        },
      };
    };
    const { record } = await runScripted(numbered(2), {}, {}, () => ({ stepPolicy }));
    assert.equal(record.summary.stopReason, 'max_step_chars');
    assert.equal(record.steps.length, 2);
  });

  it('a failing producer ends the run with its error and keeps the steps before it', async () => {
    const { record } = await runProducer(['a', 'b']);
    assert.equal(record.summary.stopReason, 'error');
    assert.match(record.summary.error?.message ?? '', /the script ran out/);
    assert.deepEqual(
      record.steps.map((s) => s.step_str),
      ['a', 'b'],
    );
  });

  it("speculative work a producer leaves behind is aborted at the end and counted as its model's waste", async () => {
    let finished: GenerateResult | undefined;
    const stepPolicy: StepPolicy = (run) => {
      const inner = new Scripted(run, ['a', 'b \\boxed{2}']);
      return {
        next: async (slot) => {
          // Step 0 leaves a finished reply unused, step 1 one still in flight; neither is adopted.
          const lane = run.startLane(run.clients.small, slot.steps);
          if (slot.stepId === 0) {
            finished = await lane.result;
          }
          return inner.next(slot);
        },
      };
    };
    const { record } = await runScripted(numbered(4), { stream: true }, {}, () => ({ stepPolicy }));
    assert.equal(record.summary.stopReason, 'finished');
    assert.ok(finished && finished.completionTokens > 0);
    assert.ok(record.summary.small.wastedTokens >= finished.completionTokens);
    assert.equal(record.summary.small.tokens, 0, 'nothing of theirs is counted as kept work');
  });
});
