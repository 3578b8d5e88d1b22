// first-token routing (GlimpRouter): the entropy of the small model's first-token alternatives, and the
// decisions GlimpRouter's code (Zengwh02/GlimpRouter @ 686838e, src/glimp_router.py) makes on cases
// derived from it, each entropy worked out by hand; then whole runs against scripted first-token replies.

import assert from 'node:assert/strict';
import { firstTokenDecision, firstTokenEntropy } from '../../src/core/engine/policies/firstToken';
import type { RunEvent } from '../../src/core/engine/runRecord';
import { smallScript, type Scenario } from '../../src/sim/scenarios';
import type { ScoreReply } from '../../src/sim/simulatedVllm';
import { failOnUnhandledRejections, numbered, runScripted, type ConfigOverrides, type SimOptions } from './helpers';

/** Alternatives with these probabilities (logprob = ln p), as the server lists them. */
const alternatives = (...probabilities: number[]) =>
  probabilities.map((p, i) => ({ token: `t${i}`, logprob: Math.log(p) }));
const UNIFORM_20 = alternatives(...Array.from({ length: 20 }, () => 1 / 20));

type Distribution = Extract<ScoreReply, { sampled: string }>;
const reply = (probabilities: number[]): Distribution => ({
  sampled: 't0',
  top: probabilities.map((p, i): [string, number] => [`t${i}`, Math.log(p)]),
});
const UNIFORM = reply(Array.from({ length: 20 }, () => 1 / 20)); // ln 20 ≈ 3.00 nats: the base model
const CONFIDENT = reply([0.99, ...Array.from({ length: 19 }, () => 0.01 / 19)]); // ≈ 0.08 nats: the small model
const COIN = reply([0.5, 0.5]); // ln 2 ≈ 0.69 nats

describe('first-token routing (GlimpRouter)', () => {
  failOnUnhandledRejections();

  describe('the entropy of the first token', () => {
    it('is −Σ p ln p in nats over the alternatives', () => {
      // 20 equally likely alternatives: ln 20.
      assert.ok(Math.abs(firstTokenEntropy(UNIFORM_20) - 2.995732273553991) < 1e-12);
      // Two at one half: ln 2.
      assert.ok(Math.abs(firstTokenEntropy(alternatives(0.5, 0.5)) - 0.6931471805599453) < 1e-12);
      // One certain alternative: 0.
      assert.equal(firstTokenEntropy(alternatives(1)), 0);
    });

    it('renormalises the listed alternatives to sum to 1 first', () => {
      // 0.5, 0.25, 0.05 (0.8 listed) → 0.625, 0.3125, 0.0625:
      // 0.625·ln(1/0.625) + 0.3125·ln(1/0.3125) + 0.0625·ln(1/0.0625) = 0.29375 + 0.36348 + 0.17329 = 0.83052.
      assert.ok(Math.abs(firstTokenEntropy(alternatives(0.5, 0.25, 0.05)) - 0.8305236914828464) < 1e-12);
    });

    it('counts a token listed twice once, with its last logprob (a dict, as GlimpRouter builds it)', () => {
      const twice = [
        { token: 'a', logprob: Math.log(0.9) },
        { token: 'b', logprob: Math.log(0.5) },
        { token: 'a', logprob: Math.log(0.5) },
      ];
      assert.ok(Math.abs(firstTokenEntropy(twice) - Math.LN2) < 1e-12);
    });

    it('an alternative of probability 0 adds nothing', () => {
      const withZero = [...alternatives(0.5, 0.5), { token: 'z', logprob: -Infinity }];
      assert.ok(Math.abs(firstTokenEntropy(withZero) - Math.LN2) < 1e-12);
    });
  });

  describe('the routing rule: the base model writes the step when the entropy is at least the threshold', () => {
    it('routes as GlimpRouter does at its published threshold 0.9 and its default 1.0', () => {
      for (const threshold of [0.9, 1.0]) {
        assert.equal(firstTokenDecision(firstTokenEntropy(UNIFORM_20), threshold).outcome, 'base-wrote');
        assert.equal(firstTokenDecision(firstTokenEntropy(alternatives(0.5, 0.5)), threshold).outcome, 'small-wrote');
      }
      // 0.83 nats: small at 0.9, base at 0.8.
      const h = firstTokenEntropy(alternatives(0.5, 0.25, 0.05));
      assert.equal(firstTokenDecision(h, 0.9).outcome, 'small-wrote');
      assert.equal(firstTokenDecision(h, 0.8).outcome, 'base-wrote');
    });

    it('at exactly the threshold the base model writes (score >= threshold)', () => {
      assert.equal(firstTokenDecision(0, 0).outcome, 'base-wrote');
      assert.equal(firstTokenDecision(0.9, 0.9).outcome, 'base-wrote');
      assert.equal(firstTokenDecision(0.8999, 0.9).outcome, 'small-wrote');
    });

    it('explains itself in one sentence', () => {
      assert.deepEqual(firstTokenDecision(1.3245, 0.9), {
        policy: 'first-token',
        signal: 'entropy',
        value: 1.3245,
        threshold: 0.9,
        outcome: 'base-wrote',
        explanation: 'first-token entropy 1.32 nats ≥ 0.9: the base model wrote the step',
      });
      assert.equal(
        firstTokenDecision(0.0812, 0.9).explanation,
        'first-token entropy 0.08 nats < 0.9: the small model wrote the step',
      );
    });
  });

  describe('runs', () => {
    const run = (
      scenario: Scenario,
      firstTokens: Distribution[],
      overrides: ConfigOverrides = {},
      sim: SimOptions = {},
      onEvent?: (e: RunEvent) => void,
    ) =>
      runScripted(
        scenario,
        { stepPolicy: 'first-token', entropyThreshold: 0.9, ...overrides },
        { ...sim, small: { script: { ...smallScript(scenario), firstToken: (i) => firstTokens[i] }, ...sim.small } },
        () => ({ onEvent }),
      );

    it('asks the small model for one token per step and lets the entropy pick who writes it; no judge', async () => {
      const { record, base, small, events } = await run(numbered(4), [UNIFORM, CONFIDENT, COIN, UNIFORM]);
      assert.equal(record.summary.stopReason, 'finished');
      assert.deepEqual(
        record.steps.map((s) => [s.origin, s.decision?.outcome, s.step_str.split(':')[0]]),
        [
          ['base-fallback', 'base-wrote', 'base step 0'],
          ['small', 'small-wrote', 'small step 1'],
          ['small', 'small-wrote', 'small step 2'],
          ['base-fallback', 'base-wrote', 'base'],
        ],
      );
      assert.ok(Math.abs(record.steps[0]!.decision!.value - Math.log(20)) < 1e-9);
      assert.ok(Math.abs(record.steps[2]!.decision!.value - Math.LN2) < 1e-9);
      assert.deepEqual(record.steps[1]!.score, null);
      // The probe: the step's own messages, one greedy token, 20 alternatives, no stop.
      const probes = small.filter((e) => e.kind === 'first-token');
      assert.equal(probes.length, 4);
      const probe = probes[1]!.body!;
      assert.equal(probe.max_tokens, 1);
      assert.equal(probe.temperature, 0);
      assert.equal(probe.logprobs, true);
      assert.equal(probe.top_logprobs, 20);
      assert.equal(probe.stop, undefined);
      assert.equal(probe.continue_final_message, true);
      const step1 = small.find((e) => e.kind === 'step' && e.stepIndex === 1)!.body!;
      assert.deepEqual(probe.messages, step1.messages);
      assert.equal(probes[0]!.body!.add_generation_prompt, true, 'the first step opens the assistant turn');
      // No score request anywhere; each step written once, by one model.
      assert.equal([...base, ...small].filter((e) => e.kind === 'score').length, 0);
      assert.equal(base.filter((e) => e.kind === 'step').length, 2);
      assert.equal(small.filter((e) => e.kind === 'step').length, 2);
      assert.equal(record.summary.costs?.judgeCalls, 0);
      assert.deepEqual(record.summary.costs?.requests, { small: 6, base: 2 });
      assert.equal(record.summary.costs?.wastedTokens, 0);
      const decisions = events.flatMap((e) => (e.type === 'decision' ? [e.decision.outcome] : []));
      assert.deepEqual(decisions, ['base-wrote', 'small-wrote', 'small-wrote', 'base-wrote']);
    });

    it('the threshold moves the routing: 0.5 sends the coin-flip step to the base model', async () => {
      const { record } = await run(numbered(3), [CONFIDENT, COIN, CONFIDENT], { entropyThreshold: 0.5 });
      assert.deepEqual(
        record.steps.map((s) => s.origin),
        ['small', 'base-fallback', 'small'],
      );
    });

    it('keeps the forced first N base steps and the stop rules (budget, a repeated step)', async () => {
      const forced = await run(numbered(3), [CONFIDENT, CONFIDENT, CONFIDENT], { firstNBaseSteps: 1 });
      assert.deepEqual(
        forced.record.steps.map((s) => s.origin),
        ['base-forced', 'small', 'small'],
      );
      assert.equal(forced.small.filter((e) => e.kind === 'first-token').length, 2);

      const budget = await run(numbered(6), Array<Distribution>(6).fill(CONFIDENT), { tokenBudget: 20 });
      assert.equal(budget.record.summary.stopReason, 'budget');
      assert.equal(budget.record.steps.at(-1)?.stop_reason, 'budget');

      const repeated = await run(
        { small: ['a.', 'b.', 'b.', 'c.'], base: ['x.'] },
        Array<Distribution>(4).fill(CONFIDENT),
      );
      assert.equal(repeated.record.steps.length, 3);
      assert.equal(repeated.record.summary.stopReason, 'finished');
    });

    it('a server error mid-run ends it with the error and keeps the steps before', async () => {
      const { record } = await run(
        numbered(5),
        Array<Distribution>(5).fill(CONFIDENT),
        {},
        {
          small: { faults: [{ fault: 'http500', kind: 'first-token', step: 2 }] },
        },
      );
      assert.equal(record.summary.stopReason, 'error');
      assert.equal(record.summary.error?.code, 'server_error');
      assert.equal(record.steps.length, 2);
    });

    it('cancelling while the base model writes a routed step keeps the steps before it', async () => {
      const controller = new AbortController();
      const { record, base } = await runScripted(
        numbered(4),
        { stepPolicy: 'first-token', stream: true },
        {
          latency: { base: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 } },
          small: { script: { ...smallScript(numbered(4)), firstToken: (i) => (i === 1 ? UNIFORM : CONFIDENT) } },
        },
        () => ({
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'delta' && e.model === 'base') {
              controller.abort();
            }
          },
        }),
      );
      assert.equal(record.summary.stopReason, 'cancelled');
      assert.equal(record.steps.length, 1);
      assert.ok(
        base.some((e) => e.kind === 'step' && e.aborted),
        'the base model was writing step 1 when the run was cancelled',
      );
    });
  });
});
