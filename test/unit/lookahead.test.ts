// lookahead: the small model drafts up to k steps ahead, the base model scores them in ONE prompt-list request
// on /v1/completions, the longest passing prefix is kept and the first failing step is rewritten by the base
// model. The rule, then runs rule by rule against scripted scores, with the stop rules and failure paths.

import assert from 'node:assert/strict';
import { lookaheadDecision, passingPrefix } from '../../src/core/engine/policies/lookahead';
import type { RequestLogEntry } from '../../src/sim/simulatedVllm';
import { cancelAt, failOnUnhandledRejections, numbered, runScripted, type SimOptions } from './helpers';

/** The prompt-list requests a server received. */
const promptLists = (log: readonly RequestLogEntry[]) => log.filter((e) => e.path === '/v1/completions');
const prompts = (entry: RequestLogEntry) => entry.body?.prompt as string[];

const run = (n: number, scores: number[], k: number, sim: SimOptions = {}, extra = {}) =>
  runScripted(numbered(n, scores), { stepPolicy: 'lookahead', lookaheadSteps: k, ...extra }, sim);

const outcomes = (steps: Array<{ origin: string; score: number | null; decision?: { outcome: string } }>) =>
  steps.map((s) => [s.origin, s.score, s.decision?.outcome]);

describe('lookahead', () => {
  failOnUnhandledRejections();

  it('keeps the longest prefix at or above the threshold and explains each step', () => {
    assert.equal(passingPrefix([9, 8, 7], 7), 3);
    assert.equal(passingPrefix([6.99, 9, 9], 7), 0);
    assert.equal(passingPrefix([9, 2, 9], 7), 1, 'a pass after a failure is not kept');
    assert.equal(
      lookaheadDecision(8, 7, 2, 3).explanation,
      'draft 2 of 3 scored together: score 8 ≥ 7: the draft was kept',
    );
    assert.equal(lookaheadDecision(3, 7, 1, 3).outcome, 'base-rewrote');
  });

  it('all k pass: one prompt-list request per window, every draft kept, no base generation', async () => {
    const { record, base, small, baseLog } = await run(6, [], 3);
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(
      outcomes(record.steps),
      Array.from({ length: 6 }, () => ['small', 9, 'kept-draft']),
    );
    assert.equal(base.length, 0, 'no chat request to the base model');
    const lists = promptLists(baseLog);
    assert.deepEqual(
      lists.map((e) => e.prompts?.map((p) => [p.kind, p.stepIndex])),
      [
        [
          ['score', 0],
          ['score', 1],
          ['score', 2],
        ],
        [
          ['score', 3],
          ['score', 4],
          ['score', 5],
        ],
      ],
    );
    // The request as sent: one score prompt per draft, prompt i carrying drafts 1..i (the shared prefix grows).
    const first = lists[0]!;
    assert.deepEqual(
      { ...first.body, prompt: undefined },
      { model: 'Qwen/QwQ-32B', prompt: undefined, max_tokens: 1, temperature: 0, logprobs: 10, stream: false },
    );
    const [p0, p1, p2] = prompts(first);
    assert.ok(p0!.includes('small step 0') && !p0!.includes('small step 1'));
    assert.ok(p1!.includes('small step 0') && p1!.includes('small step 1') && !p1!.includes('small step 2'));
    assert.ok(p2!.includes('small step 1') && p2!.includes('small step 2'));
    assert.equal(small.filter((e) => e.kind === 'step').length, 6);
    assert.deepEqual(record.summary.costs?.requests, { small: 6, base: 2 });
    assert.equal(record.summary.costs?.judgeCalls, 6);
    assert.equal(record.summary.costs?.wastedTokens, 0);
    assert.equal(record.steps[1]!.decision?.policy, 'lookahead');
  });

  it('first step fails: the base model rewrites it and the drafts after it are wasted', async () => {
    const { record, base, baseLog, small } = await run(4, [2], 3);
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(outcomes(record.steps.slice(0, 2)), [
      ['base-fallback', 2, 'base-rewrote'],
      ['small', 9, 'kept-draft'],
    ]);
    assert.equal(record.steps[0]!.step_str, 'base step 0: we compute 0 + 0 = 0.');
    assert.deepEqual(
      base.map((e) => [e.kind, e.stepIndex]),
      [['step', 0]],
    );
    assert.deepEqual(promptLists(baseLog)[0]!.prompts?.length, 3);
    // Drafts 1 and 2 of the first window were generated for nothing.
    const wasted = small
      .filter((e) => e.kind === 'step')
      .slice(1, 3)
      .reduce((sum, e) => sum + (e.completionTokens ?? 0), 0);
    assert.ok((record.summary.costs?.wastedTokens ?? 0) >= wasted, `${record.summary.costs?.wastedTokens} ≥ ${wasted}`);
    assert.ok(record.summary.small.wastedTokens >= wasted);
  });

  it('middle step fails: the prefix before it is kept, it is rewritten, the rest of the window is wasted', async () => {
    const { record, base, baseLog } = await run(6, [9, 2, 9, 9, 9, 9], 3);
    assert.equal(record.summary.stopReason, 'finished');
    assert.deepEqual(outcomes(record.steps), [
      ['small', 9, 'kept-draft'],
      ['base-fallback', 2, 'base-rewrote'],
      ['small', 9, 'kept-draft'],
      ['small', 9, 'kept-draft'],
      ['small', 9, 'kept-draft'],
      ['small', 9, 'kept-draft'],
    ]);
    assert.deepEqual(
      base.map((e) => [e.kind, e.stepIndex]),
      [['step', 1]],
    );
    // Windows: steps 0-2 (2 wasted), then 2-4, then 5.
    assert.deepEqual(
      promptLists(baseLog).map((e) => e.prompts?.map((p) => p.stepIndex)),
      [[0, 1, 2], [2, 3, 4], [5]],
    );
    assert.equal(record.summary.costs?.judgeCalls, 7);
    assert.deepEqual([record.summary.accepted, record.summary.rejected], [5, 1]);
  });

  it('k = 1 makes the decisions SpecReason makes', async () => {
    const scores = [9, 3, 8, 6, 9, 9];
    const lookahead = await run(6, scores, 1);
    const specreason = await runScripted(numbered(6, scores), {});
    const decisions = (r: typeof lookahead) => r.record.steps.map((s) => [s.origin, s.score, s.step_str]);
    assert.deepEqual(decisions(lookahead), decisions(specreason));
    assert.equal(promptLists(lookahead.baseLog).length, 6, 'one single-prompt list per step');
  });

  it('a draft that gives the answer ends the window: nothing is drafted after it', async () => {
    const { record, small, baseLog } = await run(3, [], 4);
    assert.equal(record.summary.stopReason, 'finished');
    assert.equal(record.steps.length, 3);
    assert.equal(small.filter((e) => e.kind === 'step').length, 3, 'no draft after the answer');
    assert.deepEqual(
      promptLists(baseLog).map((e) => e.prompts?.length),
      [3],
    );
  });

  it('the token budget ends the window and the run', async () => {
    const { record, small } = await run(10, [], 4, {}, { tokenBudget: 20 });
    assert.equal(record.summary.stopReason, 'budget');
    const drafted = small.filter((e) => e.kind === 'step').length;
    assert.equal(drafted, record.steps.length, 'drafting stopped where the budget did');
  });

  it('a failing prompt-list request ends the run with the base server error and keeps the steps before', async () => {
    const { record, base } = await run(8, [], 3, { base: { faults: [{ fault: 'http500', kind: 'score', step: 3 }] } });
    assert.equal(record.summary.stopReason, 'error');
    assert.equal(record.summary.error?.server?.role, 'base');
    assert.equal(record.steps.length, 3);
    assert.equal(base.length, 0, 'no rewrite after the failure');
  });

  it('cancelling while the window is scored keeps the steps before and leaves no request running', async () => {
    const slowBase = { prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 400 };
    const { record, baseLog } = await runScripted(
      numbered(8),
      { stepPolicy: 'lookahead', lookaheadSteps: 3 },
      { latency: { base: slowBase } },
      (pair) => {
        const controller = new AbortController();
        // Cancel once the second window's prompt list is in flight.
        const poll = setInterval(() => {
          const lists = promptLists(pair.base.log);
          if (lists.length === 2 && lists[1]!.endedAt === undefined) {
            clearInterval(poll);
            controller.abort();
          }
        }, 2);
        controller.signal.addEventListener('abort', () => clearInterval(poll));
        return { signal: controller.signal, onEvent: (e) => e.type === 'run-done' && clearInterval(poll) };
      },
    );
    assert.equal(record.summary.stopReason, 'cancelled');
    assert.equal(record.steps.length, 3);
    const lists = promptLists(baseLog);
    assert.equal(lists.length, 2);
    assert.ok(lists[1]!.aborted, 'the batched request was aborted');
  });

  it('cancelling mid-drafts keeps the steps before', async () => {
    const { record } = await runScripted(
      numbered(8),
      { stepPolicy: 'lookahead', lookaheadSteps: 3 },
      { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 20, overlapSlowdown: 0, overheadMs: 0 } } },
      cancelAt('step-start', 3),
    );
    assert.equal(record.summary.stopReason, 'cancelled');
    assert.equal(record.steps.length, 3);
  });
});
