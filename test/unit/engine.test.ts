import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { JUDGE_INSTRUCTION, SCORE_PREFILL, userMessage } from '../../src/core/engine/prompts';
import type { StepRecord } from '../../src/core/engine/runRecord';
import type { Scenario } from '../../src/sim/scenarios';
import { simTokenize } from '../../src/sim/simulatedVllm';
import { chatRequests, collect, configFor, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 6 times 7?' };
const tokens = (text: string) => simTokenize(text).length + 1; // + the "\n\n" stop token, counted by vLLM

/** The six-step problem: step 3's draft is rejected (score 3 < 7); step 2 is kept at the boundary (7 ≥ 7). */
const SIX: Scenario = {
  small: [
    'Let x = 6 * 7.',
    'Six sevens are 42.',
    'Check: 7 * 6 = 42.',
    'So x = 48.',
    'Indeed x = 42.',
    'Answer: $\\boxed{42}$.',
  ],
  base: ['B0', 'B1', 'B2', 'Correction: 6 * 7 = 42, so x = 42.', 'B4', 'B5 \\boxed{42}'],
  scores: [9, 8, 7, 3, 9, 9],
};

function expectedSix(): Array<Partial<StepRecord>> {
  return SIX.small.map((draft, i) => {
    const rejected = i === 3;
    const base = rejected ? SIX.base[3]! : null;
    return {
      step_id: i,
      step_str: rejected ? base! : draft,
      small_model_step: draft,
      num_output_tokens_small: tokens(draft),
      score: SIX.scores![i] as number,
      base_model_step: base,
      num_output_tokens_base: base === null ? null : tokens(base),
      final_num_output_tokens: base === null ? tokens(draft) : tokens(base),
      justification: JSON.stringify(SIX.scores![i]),
      origin: rejected ? 'base-fallback' : 'small',
      ...(i === 5 ? { stop_reason: 'finished' as const } : {}),
    };
  });
}

/** The reference's fields and ours, without timings, logprobs and request parameters (stepRequests.test.ts has those). */
function strip(r: StepRecord): Partial<StepRecord> {
  const { timings: _t, score_top_logprobs: _l, request: _r, ...rest } = r;
  return rest;
}

describe('SpecReason engine against the simulated pair', () => {
  for (const stream of [true, false]) {
    it(`reproduces the scripted 6-step run with one rejection (${stream ? 'streaming' : 'non-streaming'})`, () =>
      withPair(SIX, async (pair) => {
        const { events, onEvent } = collect();
        const record = await runSpecReason(PROBLEM, configFor(pair, { stream }), { onEvent });
        assert.deepEqual(record.steps.map(strip), expectedSix());
        const s = record.summary;
        assert.equal(s.stopReason, 'finished');
        assert.equal(s.answer, '42');
        assert.equal(s.accepted, 5);
        assert.equal(s.rejected, 1);
        assert.equal(s.acceptanceRate, 5 / 6);
        assert.equal(
          s.keptTokens,
          record.steps.reduce((a, r) => a + r.final_num_output_tokens, 0),
        );
        assert.equal(
          s.small.tokens,
          SIX.small.reduce((a, t) => a + tokens(t), 0),
        );
        assert.equal(s.base.tokens, tokens(SIX.base[3]!));
        assert.deepEqual(record.models, { base: 'Qwen/QwQ-32B', small: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B' });
        assert.equal(record.prompt, userMessage(PROBLEM));
        // Events: every step streamed, scored and finished, in order; deltas add up to the draft.
        const drafts = events
          .filter((e) => e.type === 'delta' && e.model === 'small' && e.stepId === 1)
          .map((e) => (e as { text: string }).text)
          .join('');
        assert.equal(drafts, SIX.small[1]);
        assert.deepEqual(
          events.filter((e) => e.type === 'score').map((e) => (e as { accepted: boolean }).accepted),
          [true, true, true, false, true, true],
        );
        assert.equal(events.filter((e) => e.type === 'fallback-start').length, 1);
        assert.equal(events[0]!.type, 'run-start');
        assert.equal(events[events.length - 1]!.type, 'run-done');
        // One model list per server per run; 6 drafts; 6 scores + 1 fallback on the base.
        assert.equal(pair.base.log.filter((e) => e.path === '/v1/models').length, 1);
        assert.equal(pair.small.log.filter((e) => e.path === '/v1/models').length, 1);
        assert.equal(chatRequests(pair.small.log).length, 6);
        assert.equal(chatRequests(pair.base.log).length, 7);
        assert.equal(pair.base.openRequests().length + pair.small.openRequests().length, 0);
      }));
  }

  it('sends exactly the reference request bodies and message lists', () =>
    withPair(SIX, async (pair) => {
      await runSpecReason(PROBLEM, configFor(pair), {});
      const user = userMessage(PROBLEM);
      const small = chatRequests(pair.small.log).map((e) => e.body!);
      const base = chatRequests(pair.base.log).map((e) => e.body!);
      const sampling = {
        temperature: 0.6,
        top_p: 0.95,
        max_tokens: 512,
        stop: ['\n\n'],
        stream: true,
        stream_options: { include_usage: true },
      };
      assert.deepEqual(small[0], {
        model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
        messages: [{ role: 'user', content: user }],
        ...sampling,
        add_generation_prompt: true,
        continue_final_message: false,
      });
      assert.deepEqual(small[2], {
        model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: `<think>${SIX.small[0]}\n\n${SIX.small[1]}\n\n` },
        ],
        ...sampling,
        add_generation_prompt: false,
        continue_final_message: true,
      });
      assert.deepEqual(base[0], {
        model: 'Qwen/QwQ-32B',
        messages: [
          { role: 'user', content: user },
          { role: 'assistant', content: `<think>${SIX.small[0]}\n\n` },
          { role: 'user', content: JUDGE_INSTRUCTION },
          { role: 'assistant', content: SCORE_PREFILL },
        ],
        temperature: 0,
        max_tokens: 1,
        logprobs: true,
        top_logprobs: 10,
        add_generation_prompt: false,
        continue_final_message: true,
      });
      // The fallback for step 3 continues the kept steps 0–2, not the rejected draft.
      const fallback = base.find((b) => Array.isArray(b.stop))!;
      assert.deepEqual((fallback.messages as unknown[])[1], {
        role: 'assistant',
        content: `<think>${SIX.small.slice(0, 3).join('\n\n')}\n\n`,
      });
      assert.equal(fallback.add_generation_prompt, false);
      assert.equal(fallback.continue_final_message, true);
    }));

  it('keeps a draft at exactly the threshold and rejects it just below (decimal threshold)', () =>
    withPair(numbered(2, [7, 9]), async (pair) => {
      const atSeven = await runSpecReason(PROBLEM, configFor(pair, { threshold: 7 }));
      assert.equal(atSeven.steps[0]!.origin, 'small');
      const above = await runSpecReason(PROBLEM, configFor(pair, { threshold: 7.01 }));
      assert.equal(above.steps[0]!.origin, 'base-fallback');
      assert.equal(above.steps[0]!.step_str, 'base step 0: we compute 0 + 0 = 0.');
      assert.equal(above.steps[0]!.small_model_step, 'small step 0: we compute 0 + 0 = 0.');
    }));

  it('scores with the logprob-weighted average when asked', () =>
    withPair(
      {
        ...numbered(2),
        scores: [
          {
            sampled: '8',
            top: [
              ['8', Math.log(0.5)],
              ['6', Math.log(0.25)],
              ['x', Math.log(0.2)],
              ['2', Math.log(0.05)],
            ],
          },
          9,
        ],
      },
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair, { scoreMethod: 'average', threshold: 6.5 }));
        const expected = (8 * 0.5 + 6 * 0.25 + 2 * 0.05) / 0.8; // 6.875
        assert.ok(Math.abs(record.steps[0]!.score! - expected) < 1e-9);
        assert.equal(record.steps[0]!.origin, 'small');
        assert.equal(record.steps[0]!.score_top_logprobs!.length, 4);
      },
    ));

  it('scores a non-digit greedy token as 0 and falls back', () =>
    withPair(
      {
        ...numbered(2),
        scores: [
          {
            sampled: 'The',
            top: [
              ['The', -0.1],
              ['9', -3],
            ],
          },
          9,
        ],
      },
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair));
        assert.equal(record.steps[0]!.score, 0);
        assert.equal(record.steps[0]!.origin, 'base-fallback');
      },
    ));

  it('lets the base model write the first N steps with no draft and no score', () =>
    withPair(numbered(4), async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair, { firstNBaseSteps: 2 }));
      assert.deepEqual(
        record.steps.map((s) => s.origin),
        ['base-forced', 'base-forced', 'small', 'small'],
      );
      const forced = record.steps[0]!;
      assert.equal(forced.small_model_step, null);
      assert.equal(forced.score, null);
      assert.equal(forced.justification, null);
      assert.equal(forced.base_model_step, 'base step 0: we compute 0 + 0 = 0.');
      assert.equal(forced.final_num_output_tokens, forced.num_output_tokens_base);
      const smallChats = chatRequests(pair.small.log);
      assert.equal(smallChats.length, 2);
      assert.equal(smallChats[0]!.stepIndex, 2);
      assert.equal(chatRequests(pair.base.log).filter((e) => e.kind === 'score').length, 2);
      assert.equal(record.summary.forced, 2);
    }));

  it('stops on the token budget with stop reason budget, which wins over finished', () =>
    withPair(numbered(6), async (pair) => {
      const t = tokens('small step 0: we compute 0 + 0 = 0.');
      const record = await runSpecReason(PROBLEM, configFor(pair, { tokenBudget: 2 * t + 1 }));
      assert.equal(record.steps.length, 3);
      assert.equal(record.steps[2]!.stop_reason, 'budget');
      assert.equal(record.summary.stopReason, 'budget');
      // The final step finishes and reaches the budget at once: budget wins.
      const both = await runSpecReason(PROBLEM, configFor(pair, { tokenBudget: 1 }), {});
      assert.equal(both.steps[0]!.stop_reason, 'budget');
    }));

  it('finishes when a step repeats the previous one, but only after more than two steps', () =>
    withPair(
      {
        small: ['a', 'a', 'b', 'b', 'never'],
        base: ['x'],
        scores: [],
      },
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair));
        assert.deepEqual(
          record.steps.map((s) => s.step_str),
          ['a', 'a', 'b', 'b'],
        );
        assert.equal(record.steps[3]!.stop_reason, 'finished');
      },
    ));

  it('removes </think> from a step without an answer and flags it; keeps it when the step answers', () =>
    withPair(
      {
        small: ['Start.', 'I am done thinking.</think> Now the answer', 'Final: </think> $\\boxed{1}$'],
        base: ['x'],
      },
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair));
        assert.equal(record.steps[1]!.step_str, 'I am done thinking. Now the answer');
        assert.equal(record.steps[1]!.small_model_step, 'I am done thinking.</think> Now the answer');
        assert.equal(record.steps[1]!.warning, 'step_str had a </think>');
        assert.equal(record.steps[2]!.step_str, 'Final: </think> $\\boxed{1}$');
        assert.equal(record.steps[2]!.warning, undefined);
        // The next request continued the cleaned text (vLLM would reject a prefill containing </think>).
        assert.equal(
          (chatRequests(pair.small.log)[2]!.body!.messages as Array<{ content: string }>)[1]!.content,
          '<think>Start.\n\nI am done thinking. Now the answer\n\n',
        );
      },
    ));

  it('uses the multiple-choice prompt when the problem has choices', () =>
    withPair(numbered(1), async (pair) => {
      const problem = { text: 'Which is prime?', choices: { A: '4', B: '6', C: '7', D: '9' } };
      await runSpecReason(problem, configFor(pair));
      const first = chatRequests(pair.small.log)[0]!.body!.messages as Array<{ content: string }>;
      assert.equal(first[0]!.content, userMessage(problem));
      assert.ok(first[0]!.content.includes('(C) 7'));
    }));

  it('reads reasoning_content and reasoning fields (servers with a reasoning parser)', async () => {
    for (const field of ['reasoning_content', 'reasoning'] as const) {
      for (const stream of [true, false]) {
        await withPair(
          SIX,
          async (pair) => {
            const record = await runSpecReason(PROBLEM, configFor(pair, { stream }));
            assert.deepEqual(record.steps.map(strip), expectedSix(), `${field} stream=${stream}`);
          },
          { base: { reasoningField: field }, small: { reasoningField: field } },
        );
      }
    }
  });

  it('cancels mid-draft: every request stops at once and the partial trace is kept', () =>
    withPair(
      numbered(5),
      async (pair) => {
        const controller = new AbortController();
        const afterAbort: string[] = [];
        const record = await runSpecReason(PROBLEM, configFor(pair), {
          signal: controller.signal,
          onEvent: (e) => {
            if (controller.signal.aborted) {
              afterAbort.push(e.type);
            } else if (e.type === 'delta' && e.stepId === 2) {
              controller.abort();
            }
          },
        });
        assert.equal(record.summary.stopReason, 'cancelled');
        assert.equal(record.steps.length, 2);
        assert.equal(record.summary.error, undefined);
        // "At once", without timing the machine: no step, draft or score starts or completes after the abort
        // (text already received may still be delivered), then the run's end.
        assert.deepEqual(
          afterAbort.filter((t) => t !== 'delta'),
          ['run-done'],
          'no event after the abort but text in flight and the run record',
        );
        await pair.small.settled();
        assert.equal(pair.small.openRequests().length, 0);
        assert.ok(
          chatRequests(pair.small.log).some((e) => e.aborted),
          `the server saw the connection close: ${JSON.stringify(chatRequests(pair.small.log).map((e) => [e.stepIndex, e.aborted, e.status, e.endedAt! - e.startedAt]))}`,
        );
      },
      { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 } } },
    ));

  it('cancels mid-fallback and keeps the steps before it', () =>
    withPair(
      numbered(5, [9, 1]),
      async (pair) => {
        const controller = new AbortController();
        const record = await runSpecReason(PROBLEM, configFor(pair), {
          signal: controller.signal,
          onEvent: (e) => {
            if (e.type === 'delta' && e.phase === 'fallback') {
              controller.abort();
            }
          },
        });
        assert.equal(record.summary.stopReason, 'cancelled');
        assert.deepEqual(
          record.steps.map((s) => s.origin),
          ['small'],
        );
        await pair.base.settled();
        assert.equal(pair.base.openRequests().length, 0);
        assert.ok(chatRequests(pair.base.log).some((e) => e.aborted && e.kind === 'step'));
      },
      { latency: { base: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 } } },
    ));

  it("leaves no abort listener on the caller's signal, however long the run", () =>
    withPair(numbered(60, [9, 1]), async (pair) => {
      const controller = new AbortController();
      const record = await runSpecReason(PROBLEM, configFor(pair, { draftAhead: true, eagerFallback: true }), {
        signal: controller.signal,
      });
      assert.equal(record.steps.length, 60);
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
    }));

  it("caps a baseline's max_tokens to what fits the context (budget larger than max_model_len)", () =>
    withPair(numbered(3), async (pair) => {
      const record = await runBaseline('base', PROBLEM, configFor(pair, { tokenBudget: 100_000 }));
      assert.equal(record.summary.stopReason, 'finished');
      const maxTokens = chatRequests(pair.base.log)[0]!.body!.max_tokens as number;
      assert.ok(maxTokens < 32768 && maxTokens > 32000, String(maxTokens));
    }));

  it('returns at once, cancelled, when the signal is already aborted', () =>
    withPair(numbered(2), async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair), { signal: AbortSignal.abort() });
      assert.equal(record.summary.stopReason, 'cancelled');
      assert.equal(chatRequests(pair.small.log).length, 0);
    }));

  for (const mode of ['base', 'small'] as const) {
    it(`decodes ${mode}-only with one streamed generation up to the budget`, () =>
      withPair(numbered(4), async (pair) => {
        const { events, onEvent } = collect();
        const record = await runBaseline(mode, PROBLEM, configFor(pair), { onEvent });
        const text = [0, 1, 2, 3].map((i) => numbered(4)[mode][i]).join('\n\n');
        assert.equal(record.steps.length, 1);
        assert.equal(record.steps[0]!.step_str, text);
        assert.equal(record.summary.answer, '42');
        assert.equal(record.summary.stopReason, 'finished');
        assert.ok(record.summary.ttftMs !== undefined && record.summary.ttftMs > 0);
        const server = mode === 'base' ? pair.base : pair.small;
        const body = chatRequests(server.log)[0]!.body!;
        assert.equal(body.max_tokens, 8192);
        assert.equal(body.stop, undefined);
        assert.equal(body.add_generation_prompt, true);
        assert.ok(events.some((e) => e.type === 'delta' && e.phase === 'baseline'));
        const budget = await runBaseline(mode, PROBLEM, configFor(pair, { tokenBudget: 5 }));
        assert.equal(budget.summary.stopReason, 'budget');
        assert.equal(budget.steps[0]!.final_num_output_tokens, 5);
      }));
  }
});
