// A step's requests as the panel shows them (src/core/stepRequests.ts) are the requests the servers got:
// each rebuilt body equals, field for field, a body the simulated server received.

import assert from 'node:assert/strict';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { stepRequests } from '../../src/core/engine/stepRequests';
import { firstTokenWithEntropy } from '../../src/sim/policyReplies';
import { smallScript, type Scenario, type SimPair } from '../../src/sim/scenarios';
import { collect, configFor, withPair } from './helpers';

const PROBLEM = { text: 'What is 6 times 7?' };
const SCENARIO: Scenario = {
  small: ['Let x = 6 * 7.', 'Six sevens are 42.', 'So x = 48.', 'Answer: $\\boxed{42}$.'],
  base: ['We want 6 * 7.', 'B1', 'Correction: 6 * 7 = 42.', 'B3 \\boxed{42}'],
  scores: [9, 8, 3, 9],
};

/** Every rebuilt request of every step, checked against what its server received. */
function assertShownWasSent(pair: SimPair, record: RunRecord): number {
  // Chat requests and /v1/completions prompt lists alike.
  const sent = (log: typeof pair.base.log) => log.filter((e) => e.method === 'POST').map((e) => e.body);
  const received = { small: sent(pair.small.log), base: sent(pair.base.log) };
  let checked = 0;
  record.steps.forEach((step, i) => {
    const shown = stepRequests(record.prompt, record.mode, record.steps, i);
    assert.ok(shown, `step ${i} has its requests`);
    for (const request of shown) {
      const match = received[request.role].some((body) => {
        try {
          assert.deepStrictEqual(request.body, body);
          return true;
        } catch {
          return false;
        }
      });
      assert.ok(match, `step ${i} ${request.purpose}: ${JSON.stringify(request.body).slice(0, 400)} was not sent`);
      checked++;
    }
  });
  return checked;
}

describe('step requests as the panel shows them', () => {
  for (const stream of [true, false]) {
    it(`SpecReason (forced, kept and rewritten steps, ${stream ? 'streamed' : 'not streamed'}): each is what was sent`, () =>
      withPair(SCENARIO, async (pair) => {
        const { events, onEvent } = collect();
        const record = await runSpecReason(PROBLEM, configFor(pair, { stream, firstNBaseSteps: 1 }), { onEvent });
        assert.deepEqual(
          record.steps.map((s) => s.origin),
          ['base-forced', 'small', 'base-fallback', 'small'],
        );
        const start = events.find((e) => e.type === 'run-start');
        assert.equal(start?.type === 'run-start' && start.prompt, record.prompt, 'run-start carries the prompt');
        const purposes = record.steps.map((_, i) =>
          stepRequests(record.prompt, record.mode, record.steps, i)!.map((r) => `${r.purpose}/${r.role}`),
        );
        assert.deepEqual(purposes, [
          ['Step/base'],
          ['Draft/small', 'Score/base'],
          ['Draft/small', 'Score/base', 'Rewrite/base'],
          ['Draft/small', 'Score/base'],
        ]);
        assert.equal(assertShownWasSent(pair, record), 8);
        const step = record.steps[2]!.request!;
        assert.equal(step.stream, stream);
        assert.deepEqual(step.models, { small: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', base: 'Qwen/QwQ-32B' });
      }));
  }

  it('a baseline: its one request, with the budget as max_tokens', () =>
    withPair(SCENARIO, async (pair) => {
      const record = await runBaseline('base', PROBLEM, configFor(pair, { tokenBudget: 321 }));
      assert.equal(assertShownWasSent(pair, record), 1);
      const [request] = stepRequests(record.prompt, 'base', record.steps, 0)!;
      assert.equal(request!.body.max_tokens, 321);
      assert.equal(request!.body.stop, undefined);
    }));

  it('a record from before steps kept their parameters: no requests', () => {
    const step = {
      step_id: 0,
      step_str: 'x',
      small_model_step: null,
      num_output_tokens_small: null,
      score: null,
      base_model_step: 'x',
      num_output_tokens_base: 1,
      final_num_output_tokens: 1,
      justification: null,
      origin: 'base-forced' as const,
      timings: { stepMs: 1, startedAt: 0, endedAt: 1 },
    };
    assert.equal(stepRequests('p', 'specreason', [step], 0), undefined);
    assert.equal(stepRequests('p', 'specreason', [step], 1), undefined);
  });

  it('first-token: the probe and the step by the model it routed to, each what was sent', () =>
    withPair(
      SCENARIO,
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair, { stepPolicy: 'first-token' }));
        const purposes = record.steps.map((_, i) =>
          stepRequests(record.prompt, record.mode, record.steps, i)!.map((r) => `${r.purpose}/${r.role}`),
        );
        assert.deepEqual(purposes, [
          ['First token/small', 'Step/small'],
          ['First token/small', 'Step/base'],
          ['First token/small', 'Step/small'],
          ['First token/small', 'Step/small'],
        ]);
        assert.equal(assertShownWasSent(pair, record), 8);
      },
      {
        small: {
          script: { ...smallScript(SCENARIO), firstToken: (i) => firstTokenWithEntropy('So', i === 1 ? 2 : 0.1) },
        },
      },
    ));

  it('self-check: the draft, its self-score, the base score of a doubtful draft and the rewrite, each what was sent', () =>
    withPair({ ...SCENARIO, selfScores: [9, 5, 5, 9] }, async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair, { stepPolicy: 'self-check' }));
      const purposes = record.steps.map((_, i) =>
        stepRequests(record.prompt, record.mode, record.steps, i)!.map((r) => `${r.purpose}/${r.role}`),
      );
      assert.deepEqual(purposes, [
        ['Draft/small', 'Self-score/small'],
        ['Draft/small', 'Self-score/small', 'Score/base'],
        ['Draft/small', 'Self-score/small', 'Score/base', 'Rewrite/base'],
        ['Draft/small', 'Self-score/small'],
      ]);
      assert.equal(assertShownWasSent(pair, record), 11);
    }));

  for (const [policy, first] of [
    ['lookahead', 'Draft/small'],
    ['multi-draft', '2 drafts/small'],
  ] as const) {
    it(`${policy}: the draft, the prompt list that scored it with the others, the rewrite, each what was sent`, () =>
      withPair(SCENARIO, async (pair) => {
        const record = await runSpecReason(
          PROBLEM,
          configFor(pair, { stepPolicy: policy, lookaheadSteps: 3, draftCount: 2 }),
        );
        const purposes = record.steps.map((_, i) =>
          stepRequests(record.prompt, record.mode, record.steps, i)!.map((r) => `${r.purpose}/${r.role}`),
        );
        const scores = 'Scores (prompt list)/base';
        assert.deepEqual(purposes, [
          [first, scores],
          [first, scores],
          [first, scores, 'Rewrite/base'],
          [first, scores],
        ]);
        assert.equal(assertShownWasSent(pair, record), 9);
      }));
  }
});
