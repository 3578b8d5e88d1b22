// Run guards against the simulated pair: each ends the run with its own stop reason and keeps the trace.

import assert from 'node:assert/strict';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import type { Scenario } from '../../src/sim/scenarios';
import { configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 2+2?' };

/** Many distinct steps and no answer: without a guard the run goes on for as long as the script does. */
function endless(n = 5000): Scenario {
  const make = (who: string) => Array.from({ length: n }, (_, i) => `${who} step ${i}: still thinking about ${i}.`);
  return { small: make('small'), base: make('base'), scores: [] };
}

describe('run guards', function () {
  this.timeout(60000);
  failOnUnhandledRejections();

  it('max steps: the run stops after that many steps, every one kept', () =>
    withPair(endless(), async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair, { maxSteps: 5 }));
      assert.equal(record.summary.stopReason, 'max_steps');
      assert.equal(record.steps.length, 5);
      assert.equal(record.steps[4]!.stop_reason, 'max_steps');
      assert.equal(record.summary.error, undefined);
    }));

  it('a run whose budget never fills (tiny steps, the largest budget) ends by the step guard', () =>
    withPair(endless(), async (pair) => {
      // (A server reporting 0 tokens for its text is refused as a malformed reply; this is the case it leaves.)
      const record = await runSpecReason(PROBLEM, configFor(pair, { maxSteps: 40, tokenBudget: 1_000_000 }));
      assert.equal(record.summary.stopReason, 'max_steps');
      assert.equal(record.steps.length, 40);
      assert.ok(record.summary.keptTokens < 1_000_000);
    }));

  it('max wall time: a run that would go on stops with the steps so far', () =>
    withPair(
      endless(),
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair, { maxWallTimeSec: 0.5 }));
        assert.equal(record.summary.stopReason, 'max_wall_time');
        assert.ok(record.steps.length < 5000, 'stopped before the script ran out');
        assert.equal(record.summary.error, undefined);
        await pair.base.settled();
        await pair.small.settled();
        assert.equal(pair.base.openRequests().length + pair.small.openRequests().length, 0, 'nothing left open');
      },
      { latency: { base: slow, small: slow } },
    ));

  it('max wall time also stops a baseline, keeping its streamed text', () =>
    withPair(
      numbered(30),
      async (pair) => {
        const record = await runBaseline('base', PROBLEM, configFor(pair, { maxWallTimeSec: 0.3 }));
        assert.equal(record.summary.stopReason, 'max_wall_time');
        assert.equal(record.steps.length, 1, 'the streamed text is kept');
        assert.match(record.steps[0]!.step_str, /base step 0/);
      },
      { latency: { base: slower, small: slower } },
    ));

  it('max step chars: a step longer than the limit is kept, cut, and ends the run', () => {
    const long = 'x'.repeat(3000);
    const scenario: Scenario = { small: ['short first step.', long], base: ['base 0', 'base 1'], scores: [] };
    return withPair(scenario, async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair, { maxStepChars: 1000 }));
      assert.equal(record.summary.stopReason, 'max_step_chars');
      assert.equal(record.steps.length, 2);
      assert.equal(record.steps[1]!.step_str.length, 1000);
      assert.match(record.steps[1]!.warning ?? '', /cut at 1000 characters/);
    });
  });

  it('max step chars in a baseline', () =>
    withPair({ small: ['y'.repeat(2000), 'So $\\boxed{1}$.'], base: ['b'], scores: [] }, async (pair) => {
      const record = await runBaseline('small', PROBLEM, configFor(pair, { maxStepChars: 1000 }));
      assert.equal(record.summary.stopReason, 'max_step_chars');
      assert.equal(record.steps[0]!.step_str.length, 1000);
    }));

  it('defaults stop no ordinary run', () =>
    withPair(endless(30), async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair));
      assert.notEqual(record.summary.stopReason, 'max_steps');
      assert.notEqual(record.summary.stopReason, 'max_wall_time');
      assert.notEqual(record.summary.stopReason, 'max_step_chars');
    }));
});

const slow = { prefillMsPerToken: 0, decodeMsPerToken: 2, overlapSlowdown: 0, overheadMs: 0 };
const slower = { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 };
