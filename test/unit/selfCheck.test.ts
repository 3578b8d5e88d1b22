// self-check: the small model scores its own draft with the judge prompt; confident drafts are kept without
// the base model, the rest go to the base model's judge or straight to its rewrite. Decisions rule by rule
// against scripted self-scores and scores, with the stop rules and failure paths.

import assert from 'node:assert/strict';
import { selfCheckDecision } from '../../src/core/engine/policies/selfCheck';
import type { Scenario } from '../../src/sim/scenarios';
import {
  cancelAt,
  failOnUnhandledRejections,
  numbered,
  runScripted,
  type ConfigOverrides,
  type SimOptions,
} from './helpers';

function scenario(n: number, selfScores: number[], scores: number[] = []): Scenario {
  return { ...numbered(n, scores), selfScores };
}

const run = (s: Scenario, overrides: ConfigOverrides = {}, sim: SimOptions = {}) =>
  runScripted(s, { stepPolicy: 'self-check', selfCheckThreshold: 8, ...overrides }, sim);

describe('self-check', () => {
  failOnUnhandledRejections();

  it('keeps a draft its small model scores at or above the self-check threshold, explaining why', () => {
    assert.equal(selfCheckDecision(8, 8).outcome, 'kept-draft');
    assert.equal(selfCheckDecision(7.99, 8).outcome, 'base-rewrote');
    assert.equal(selfCheckDecision(9, 8).explanation, 'self-score 9 ≥ 8: the small model kept its draft');
  });

  it('judge fallback: a confident draft skips the base model; an unconfident one is judged as in SpecReason', async () => {
    const { record, base, small } = await run(scenario(4, [9, 5, 5, 8], [1, 8, 3, 1]));
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(
      record.steps.map((s) => [s.origin, s.decision?.signal, s.decision?.value, s.score]),
      [
        ['small', 'self-score', 9, null],
        ['small', 'score', 8, 8],
        ['base-fallback', 'score', 3, 3],
        ['small', 'self-score', 8, null],
      ],
    );
    assert.equal(
      record.steps[2]!.decision?.explanation,
      'self-score 5 < 8, then base score 3 < 7: the base model rewrote the step',
    );
    // The small model scores every draft with the judge prompt; the base model only the unconfident ones.
    assert.equal(small.filter((e) => e.kind === 'score').length, 4);
    assert.deepEqual(
      base.filter((e) => e.kind === 'score').map((e) => e.stepIndex),
      [1, 2],
    );
    const selfScore = small.find((e) => e.kind === 'score' && e.stepIndex === 1)!.body!;
    const baseScore = base.find((e) => e.kind === 'score' && e.stepIndex === 1)!.body!;
    assert.deepEqual(selfScore.messages, baseScore.messages, 'the same judge prompt');
    assert.deepEqual(record.summary.costs?.requests, { small: 8, base: 3 });
    assert.equal(record.summary.costs?.judgeCalls, 6);
    assert.equal(record.summary.accepted, 3);
    assert.equal(record.summary.rejected, 1);
  });

  it('regenerate fallback: an unconfident draft is rewritten by the base model without a score', async () => {
    const { record, base } = await run(scenario(4, [9, 5, 5, 8], [9, 9, 9, 9]), { selfCheckFallback: 'regenerate' });
    assert.deepEqual(
      record.steps.map((s) => [s.origin, s.decision?.outcome]),
      [
        ['small', 'kept-draft'],
        ['base-fallback', 'base-rewrote'],
        ['base-fallback', 'base-rewrote'],
        ['small', 'kept-draft'],
      ],
    );
    assert.equal(base.filter((e) => e.kind === 'score').length, 0);
    assert.equal(record.summary.costs?.judgeCalls, 4);
    assert.equal(
      record.summary.costs?.wastedTokens,
      record.steps[1]!.num_output_tokens_small! + record.steps[2]!.num_output_tokens_small!,
    );
  });

  it('applies the stop rules to what it keeps: the budget', async () => {
    const { record } = await run(scenario(6, [9]), { tokenBudget: 20 });
    assert.equal(record.summary.stopReason, 'budget');
  });

  it("a failing self-score ends the run with the small server's error and keeps the steps before", async () => {
    const { record, base } = await run(
      scenario(4, [9]),
      {},
      {
        small: { faults: [{ fault: 'http500', kind: 'score', step: 1 }] },
      },
    );
    assert.equal(record.summary.stopReason, 'error');
    assert.equal(record.summary.error?.server?.role, 'small');
    assert.equal(record.steps.length, 1);
    assert.equal(base.length, 0, 'the base model was never needed');
  });

  it('a failing base judge ends the run and keeps the steps before', async () => {
    const { record } = await run(
      scenario(4, [9, 2]),
      {},
      {
        base: { faults: [{ fault: 'http500', kind: 'score', step: 1 }] },
      },
    );
    assert.equal(record.summary.stopReason, 'error');
    assert.equal(record.summary.error?.server?.role, 'base');
    assert.equal(record.steps.length, 1);
  });

  it('cancelling mid-draft keeps the steps before', async () => {
    const { record, small } = await runScripted(
      scenario(4, [9]),
      { stepPolicy: 'self-check', stream: true },
      { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 60, overlapSlowdown: 0, overheadMs: 0 } } },
      cancelAt('delta', 1),
    );
    assert.equal(record.summary.stopReason, 'cancelled');
    assert.equal(record.steps.length, 1);
    assert.ok(
      small.some((e) => e.kind === 'step' && e.aborted),
      JSON.stringify(small.map((e) => [e.kind, e.stepIndex, e.aborted, e.status])),
    );
  });
});
