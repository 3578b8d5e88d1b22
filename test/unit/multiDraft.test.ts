// multi-draft: n drafts of a step in one request (`n`), each scored by the base model, the best kept at or
// above the threshold, else the base model rewrites the step. The rule case by case, then runs against
// scripted drafts and scores, with the failure paths.

import assert from 'node:assert/strict';
import { multiDraftDecision } from '../../src/core/engine/policies/multiDraft';
import type { Scenario } from '../../src/sim/scenarios';
import {
  cancelAt,
  failOnUnhandledRejections,
  numbered,
  runScripted,
  type ConfigOverrides,
  type SimOptions,
} from './helpers';

/** Three steps; step 0's drafts score 4, 8, 6; step 1's all fall short; the final step's drafts all pass. */
function scenario(): Scenario {
  const s = numbered(3);
  return {
    ...s,
    drafts: [
      ['draft 0a: 6 = 5 + 1.', 'draft 0b: 6 times 7 is 6 sevens.', 'draft 0c: seven sixes.'],
      ['draft 1a: 6 * 7 = 48.', 'draft 1b: 6 * 7 = 40.', 'draft 1c: 6 * 7 = 36.'],
    ],
    draftScores: {
      'draft 0a: 6 = 5 + 1.': 4,
      'draft 0b: 6 times 7 is 6 sevens.': 8,
      'draft 0c: seven sixes.': 6,
      'draft 1a: 6 * 7 = 48.': 2,
      'draft 1b: 6 * 7 = 40.': 6,
      'draft 1c: 6 * 7 = 36.': 1,
    },
  };
}

const run = (s: Scenario, overrides: ConfigOverrides = {}, sim: SimOptions = {}) =>
  runScripted(s, { stepPolicy: 'multi-draft', draftCount: 3, ...overrides }, sim);

describe('multi-draft', () => {
  failOnUnhandledRejections();

  it('keeps the best draft at or above the threshold; the earliest of equal bests; else the base model', () => {
    const kept = multiDraftDecision([4, 8, 6], 7);
    assert.deepEqual([kept.best, kept.outcome, kept.signal, kept.value], [1, 'kept-draft', 'best-score', 8]);
    assert.equal(kept.explanation, 'best of 3 draft scores (4, 8, 6) is 8 ≥ 7: draft 2 was kept');
    assert.equal(multiDraftDecision([6, 7, 5], 7).outcome, 'kept-draft', 'equal to the threshold passes');
    const tie = multiDraftDecision([5, 9, 9], 7);
    assert.equal(tie.best, 1, 'ties go to the earliest draft');
    const none = multiDraftDecision([6.99, 2, 6], 7);
    assert.equal(none.outcome, 'base-rewrote');
    assert.equal(none.explanation, 'best of 3 draft scores (6.99, 2, 6) is 6.99 < 7: the base model rewrote the step');
  });

  it('sends one n-draft request per step, scores the drafts in one prompt list, keeps the best or has the base model rewrite', async () => {
    const { record, base, small, baseLog } = await run(scenario());
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(
      record.steps.map((s) => [s.origin, s.small_model_step, s.score, s.decision?.outcome]),
      [
        ['small', 'draft 0b: 6 times 7 is 6 sevens.', 8, 'kept-draft'],
        ['base-fallback', 'draft 1b: 6 * 7 = 40.', 6, 'base-rewrote'],
        ['small', 'small: So the answer is $\\boxed{42}$.', 9, 'kept-draft'],
      ],
    );
    assert.equal(record.steps[1]!.step_str, 'base step 1: we compute 1 + 1 = 2.');
    assert.equal(record.steps[0]!.decision?.signal, 'best-score');
    // The small model: one request per step, n = 3, not streamed; nothing else.
    assert.deepEqual(
      small.map((e) => [e.kind, e.stepIndex, e.body?.n, e.body?.stream]),
      [
        ['step', 0, 3, false],
        ['step', 1, 3, false],
        ['step', 2, 3, false],
      ],
    );
    // The base model: the three drafts of a step scored in one prompt-list request, one rewrite for step 1.
    assert.deepEqual(
      base.map((e) => [e.kind, e.stepIndex]),
      [['step', 1]],
    );
    const lists = baseLog.filter((e) => e.path === '/v1/completions');
    assert.deepEqual(
      lists.map((e) => e.prompts?.map((p) => [p.kind, p.stepIndex])),
      [0, 1, 2].map((i) => Array.from({ length: 3 }, () => ['score', i])),
    );
    const scored = (lists[0]!.body?.prompt as string[]).map((prompt, i) => [
      i,
      prompt.includes(scenario().drafts![0]![i]!),
    ]);
    assert.deepEqual(scored, [
      [0, true],
      [1, true],
      [2, true],
    ]);
    assert.match(record.steps[0]!.decision.explanation, /draft 2 was kept \(3 scores in one prompt-list request\)$/);
    assert.deepEqual(record.summary.costs?.requests, { small: 3, base: 4 });
    assert.equal(record.summary.costs?.judgeCalls, 9);
    assert.deepEqual([record.summary.accepted, record.summary.rejected], [2, 1]);
    // Every draft's tokens are counted; those not kept are waste.
    const generated = small.reduce((sum, e) => sum + (e.completionTokens ?? 0), 0);
    assert.equal(record.summary.costs?.tokens.small, generated);
    assert.ok((record.summary.costs?.wastedTokens ?? 0) >= generated - record.steps[0]!.num_output_tokens_small! * 3);
  });

  it('a base server that takes no prompt list scores the drafts with concurrent requests, and the decision says so', async () => {
    const { record, baseLog } = await runScripted(
      scenario(),
      { stepPolicy: 'multi-draft', draftCount: 3, base: { kind: 'openai' } },
      { base: { dialect: 'openai' } },
    );
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(
      record.steps.map((s) => [s.origin, s.score]),
      [
        ['small', 8],
        ['base-fallback', 6],
        ['small', 9],
      ],
    );
    const scores = baseLog.filter((e) => e.kind === 'score');
    assert.equal(scores.length, 9, 'one request per draft');
    assert.ok(scores.every((e) => typeof e.body?.prompt === 'string'));
    assert.match(
      record.steps[0]!.decision!.explanation,
      /3 concurrent score requests: the base server takes no prompt list\)$/,
    );
  });

  it('a failing score request ends the run with the base server error, aborts the rest, keeps the steps before', async () => {
    const { record, base } = await run(
      scenario(),
      {},
      {
        base: { faults: [{ fault: 'http500', kind: 'score', step: 1 }] },
        latency: { base: { prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 30 } },
      },
    );
    assert.equal(record.summary.stopReason, 'error');
    assert.equal(record.summary.error?.server?.role, 'base');
    assert.equal(record.steps.length, 1);
    assert.equal(base.filter((e) => e.kind === 'step').length, 0, 'no rewrite after the failure');
  });

  it('a failing n-draft request ends the run with the small server error', async () => {
    const { record, base } = await run(
      scenario(),
      {},
      { small: { faults: [{ fault: 'http500', kind: 'step', step: 1 }] } },
    );
    assert.equal(record.summary.stopReason, 'error');
    assert.equal(record.summary.error?.server?.role, 'small');
    assert.equal(record.steps.length, 1);
    assert.equal(base.filter((e) => e.stepIndex === 1).length, 0);
  });

  it('cancelling mid-drafts or mid-rewrite keeps the steps before and leaves no request running', async () => {
    for (const when of ['step-start', 'fallback-start'] as const) {
      const { record } = await runScripted(
        scenario(),
        { stepPolicy: 'multi-draft', draftCount: 3 },
        {
          latency: {
            small: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 },
            base: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 },
          },
        },
        cancelAt(when, 1),
      );
      assert.equal(record.summary.stopReason, 'cancelled', when);
      assert.equal(record.steps.length, 1, when);
    }
  });

  it('applies the stop rules to what it keeps: the budget', async () => {
    const { record } = await run(numbered(6), { tokenBudget: 20 });
    assert.equal(record.summary.stopReason, 'budget');
  });
});
