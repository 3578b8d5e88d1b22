// Draft-ahead and eager fallback must change no decision: the same records as the sequential
// reference on every scenario, with speculative requests really aborted and never in the trace.

import assert from 'node:assert/strict';
import { runSpecReason } from '../../src/core/engine/specReason';
import type { RunRecord, StepRecord } from '../../src/core/engine/runRecord';
import type { Scenario } from '../../src/sim/scenarios';
import type { LatencyModel } from '../../src/sim/simulatedVllm';
import { chatRequests, configFor, numbered, withPair, type ConfigOverrides } from './helpers';

const PROBLEM = { text: 'Speculate.' };
const MODES: Array<{ name: string; options: ConfigOverrides }> = [
  { name: 'sequential', options: {} },
  { name: 'draft-ahead', options: { draftAhead: true } },
  { name: 'eager fallback', options: { eagerFallback: true } },
  { name: 'both', options: { draftAhead: true, eagerFallback: true } },
];

const SCENARIOS: Array<{ name: string; scenario: Scenario; config?: ConfigOverrides }> = [
  { name: 'all accepted', scenario: numbered(6) },
  { name: 'alternating rejections', scenario: numbered(8, [9, 2, 9, 2, 9, 2, 9, 9]) },
  { name: 'all rejected', scenario: numbered(5, [0, 0, 0, 0, 0]) },
  { name: 'rejection at the last step', scenario: numbered(4, [9, 9, 9, 1]) },
  { name: 'first-N base steps', scenario: numbered(6, [9, 9, 9, 3, 9, 9]), config: { firstNBaseSteps: 2 } },
  { name: 'token budget', scenario: numbered(20, [9, 3]), config: { tokenBudget: 60 } },
  { name: 'repetition', scenario: { small: ['a', 'b', 'b', 'c'], base: ['x'], scores: [9, 9, 9] } },
  {
    name: '</think> cleanup',
    scenario: { small: ['s0', 'done</think> then', 'more', 'Answer: \\boxed{3}'], base: ['b'], scores: [9, 9, 9, 9] },
  },
  {
    name: 'average scoring',
    scenario: {
      ...numbered(4),
      scores: [
        {
          sampled: '7',
          top: [
            ['7', -0.4],
            ['3', -1.2],
          ],
        },
        9,
        { sampled: '2', top: [['2', -0.1]] },
        9,
      ],
    },
    config: { scoreMethod: 'average', threshold: 5.5 },
  },
];

const latency = (decode: number): LatencyModel => ({
  prefillMsPerToken: 0.02,
  decodeMsPerToken: decode,
  overlapSlowdown: 0.1,
  overheadMs: 1,
});

function decisions(record: RunRecord): Array<Omit<StepRecord, 'timings'>> {
  return record.steps.map(({ timings: _t, ...rest }) => rest);
}

describe('speculation changes no decision', function () {
  this.timeout(60000);
  for (const { name, scenario, config } of SCENARIOS) {
    it(`${name}: identical records in every mode, nothing left open`, () =>
      withPair(
        scenario,
        async (pair) => {
          const results: RunRecord[] = [];
          for (const mode of MODES) {
            const record = await runSpecReason(PROBLEM, configFor(pair, { ...config, ...mode.options }));
            await pair.base.settled();
            await pair.small.settled();
            assert.equal(
              pair.base.openRequests().length + pair.small.openRequests().length,
              0,
              `${mode.name}: no request left open`,
            );
            results.push(record);
          }
          const [sequential, ...others] = results;
          for (const [i, record] of others.entries()) {
            assert.deepEqual(decisions(record), decisions(sequential!), MODES[i + 1]!.name);
            assert.equal(record.summary.stopReason, sequential!.summary.stopReason);
            assert.equal(record.summary.answer, sequential!.summary.answer);
            assert.equal(record.summary.keptTokens, sequential!.summary.keptTokens);
          }
          assert.equal(
            sequential!.summary.small.wastedTokens + sequential!.summary.base.wastedTokens,
            0,
            'the reference wastes nothing by speculation',
          );
        },
        { latency: { base: latency(0.5), small: latency(0.1) } },
      ));
  }

  it('draft-ahead overlaps drafting step k+1 with scoring step k, and aborts the draft when k is rejected', () =>
    withPair(
      numbered(6, [9, 2, 9, 9, 9, 9]),
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair, { draftAhead: true }));
        await pair.small.settled();
        const score0 = chatRequests(pair.base.log).find((e) => e.kind === 'score' && e.stepIndex === 0)!;
        const draft1 = chatRequests(pair.small.log).find((e) => e.stepIndex === 1)!;
        assert.ok(
          draft1.startedAt < score0.endedAt!,
          'draft 1 started before score 0 ended (overlap in the request log)',
        );
        // Step 1 was rejected: the draft of step 2 made on top of its draft was aborted and thrown away.
        const wrongContext = chatRequests(pair.small.log).filter((e) => e.stepIndex === 2);
        assert.equal(wrongContext.length, 2, 'one discarded, one real draft of step 2');
        // Thrown away: closed mid-stream (the server saw it) or, when it had already finished, counted as waste.
        assert.ok(
          wrongContext[0]!.aborted || record.summary.small.wastedTokens > 0,
          'the speculative draft was discarded',
        );
        assert.equal(record.steps[2]!.small_model_step, 'small step 2: we compute 2 + 2 = 4.');
      },
      { latency: { base: { ...latency(3), overheadMs: 20 }, small: latency(5) } },
    )); // a draft (~60 ms) outlasts a score (~25 ms)

  it('eager fallback starts the base step with the draft and aborts it when the draft is kept', () =>
    withPair(
      // Long base steps (100 tokens, 1.5 s) against a 10-token draft and a 1-token score: a kept draft's
      // eager base step is still running when it is aborted, however busy the machine is.
      { ...numbered(4, [9, 2, 9, 9]), base: [0, 1, 2, 3].map((i) => `base step ${i}:${' word'.repeat(100)}.`) },
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair, { eagerFallback: true }));
        await pair.base.settled();
        const steps = chatRequests(pair.base.log).filter((e) => e.kind === 'step');
        assert.equal(steps.length, 4, 'a base step request for every step');
        assert.deepEqual(
          steps.map((e) => e.aborted),
          [true, false, true, true],
          'only the rejected step 1 ran to the end',
        );
        assert.equal(record.steps[1]!.origin, 'base-fallback');
        assert.ok(record.summary.base.wastedTokens > 0);
        // Started with the draft, not after its score (as without eager fallback).
        const score0 = chatRequests(pair.base.log).find((e) => e.kind === 'score' && e.stepIndex === 0)!;
        assert.ok(steps[0]!.startedAt < score0.startedAt, 'started together with the draft');
      },
      { latency: { base: latency(15), small: latency(1) } },
    ));

  it('cancelling a speculative run stops every request at once', () =>
    withPair(
      numbered(10),
      async (pair) => {
        const controller = new AbortController();
        const record = await runSpecReason(PROBLEM, configFor(pair, { draftAhead: true, eagerFallback: true }), {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'step-done' && e.record.step_id === 2) {
              controller.abort();
            }
          },
        });
        assert.equal(record.summary.stopReason, 'cancelled');
        assert.equal(record.steps.length, 3);
        await pair.base.settled();
        await pair.small.settled();
        assert.equal(pair.base.openRequests().length + pair.small.openRequests().length, 0);
      },
      { latency: { base: latency(3), small: latency(1) } },
    ));
});
