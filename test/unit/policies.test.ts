// The step-policy registry: which policy a config asks for, what each needs from the servers, and that a
// run refuses one its servers cannot serve before the first step, saying why.

import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, STEP_POLICIES, validateConfig } from '../../src/core/config';
import { policyParams, policyProblem } from '../../src/core/engine/policies';
import { adaptiveThreshold } from '../../src/core/engine/policies/adaptiveThreshold';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import type { StepRecord } from '../../src/core/engine/runRecord';
import { RUN_SETTINGS } from '../../src/core/settingsTable';
import { KIND_CAPABILITIES } from '../../src/core/llm/capabilities';
import { createServer } from '../../src/core/llm/factory';
import { SERVER_KINDS } from '../../src/core/llm/server';
import { chatRequests, collect, configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 6 times 7?' };

describe('step policies', () => {
  failOnUnhandledRejections();

  it('specreason is the default, and a config without policy fields is a valid SpecReason config', () => {
    assert.equal(STEP_POLICIES[0], 'specreason');
    assert.equal(DEFAULT_CONFIG.stepPolicy, 'specreason');
    const old = { ...DEFAULT_CONFIG };
    delete old.stepPolicy;
    delete old.entropyThreshold;
    assert.deepEqual(validateConfig(old), []);
    assert.equal(policyParams(old).policy, 'specreason');
    assert.equal(policyParams(old).entropyThreshold, RUN_SETTINGS.entropyThreshold.default);
    assert.deepEqual(
      validateConfig({ ...DEFAULT_CONFIG, stepPolicy: 'oracle' as never }).map((p) => p.key),
      ['stepPolicy'],
    );
  });

  it('tells which server kinds cannot serve a policy, naming the server and what it lacks', () => {
    for (const name of STEP_POLICIES) {
      assert.equal(policyProblem(name, { base: 'vllm', small: 'vllm' }), undefined, name);
      assert.equal(policyProblem(name, { base: 'auto', small: undefined }), undefined, `${name}: kinds not known yet`);
    }
    assert.match(
      policyProblem('first-token', { base: 'vllm', small: 'ollama' }) ?? '',
      /first-token policy needs the top-20 logprobs of a step's first token from the small server, which Ollama/,
    );
    assert.equal(policyProblem('first-token', { base: 'ollama', small: 'vllm' }), undefined);
    assert.match(policyProblem('lookahead', { base: 'llama-server', small: 'vllm' }) ?? '', /prompt list.*base server/);
    assert.match(policyProblem('multi-draft', { base: 'vllm', small: 'ollama' }) ?? '', /n > 1.*small server/);
    assert.equal(policyProblem('self-check', { base: 'ollama', small: 'llama-server' }), undefined);
    assert.equal(policyProblem('specreason', { base: 'ollama', small: 'openai' }), undefined);
  });

  it("each kind's client has the first-token probe, prompt lists and n > 1 exactly when the capability table says so", () => {
    const options = { timeoutMs: 1000, maxRetries: 0, stream: false };
    for (const kind of SERVER_KINDS) {
      const client = createServer(kind, 'small', { url: 'http://127.0.0.1:9/v1', model: 'm', apiKey: '' }, options);
      assert.equal(typeof client.firstToken === 'function', KIND_CAPABILITIES[kind].firstTokenLogprobs, kind);
      assert.equal(typeof client.scoreMany === 'function', KIND_CAPABILITIES[kind].promptLists, kind);
      assert.equal(typeof client.generateMany === 'function', KIND_CAPABILITIES[kind].nChoices, kind);
    }
  });

  it('lookahead is refused before any request when the base server cannot serve prompt lists', async () => {
    await withPair(numbered(2), async (pair) => {
      const record = await runSpecReason(
        PROBLEM,
        configFor(pair, { stepPolicy: 'lookahead', base: { kind: 'llama-server' } }),
      );
      assert.equal(record.summary.error?.code, 'unsupported');
      assert.match(record.summary.error?.message ?? '', /lookahead policy needs a prompt list.*base server/);
      assert.equal(record.steps.length, 0);
      assert.equal(chatRequests(pair.small.log).length + chatRequests(pair.base.log).length, 0);
    });
  });

  it('a run refuses a policy its servers cannot serve before the first step, saying why', async () => {
    await withPair(
      numbered(3),
      async (pair) => {
        const { events, onEvent } = collect();
        const config = configFor(pair, { stepPolicy: 'first-token', small: { kind: 'ollama' } });
        const record = await runSpecReason(PROBLEM, config, { onEvent });
        assert.equal(record.summary.stopReason, 'error');
        assert.equal(record.summary.error?.code, 'unsupported');
        assert.match(record.summary.error?.message ?? '', /small server, which Ollama does not serve/);
        assert.equal(record.steps.length, 0);
        assert.equal(record.summary.policy, 'first-token');
        assert.ok(!events.some((e) => e.type === 'step-start'));
        assert.equal(chatRequests(pair.base.log).length, 0, 'no step was asked for');
      },
      { small: { dialect: 'ollama' } },
    );
  });

  it('records the policy of a SpecReason run', async () => {
    await withPair(numbered(2), async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair));
      assert.equal(record.summary.policy, 'specreason');
      assert.equal(record.summary.stopReason, 'finished');
    });
  });

  it("leaves SpecReason's records and events as they were: its decision is the score against the threshold", async () => {
    await withPair(numbered(3, [9, 2, 9]), async (pair) => {
      const { events, onEvent } = collect();
      const record = await runSpecReason(PROBLEM, configFor(pair), { onEvent });
      assert.deepEqual(
        record.steps.map((s) => [s.score, s.origin, s.decision]),
        [
          [9, 'small', undefined],
          [2, 'base-fallback', undefined],
          [9, 'small', undefined],
        ],
      );
      assert.ok(!events.some((e) => e.type === 'decision'));
    });
  });

  describe('costs', () => {
    it('counts requests, judge calls, tokens by model and the rejected draft as waste', async () => {
      await withPair(numbered(4, [9, 2, 9, 9]), async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair));
        const costs = record.summary.costs!;
        const rejected = record.steps[1]!;
        assert.deepEqual(costs.requests, { small: 4, base: 5 });
        assert.equal(costs.judgeCalls, 4);
        const sum = (f: (s: StepRecord) => number | null) => record.steps.reduce((t, s) => t + (f(s) ?? 0), 0);
        assert.deepEqual(costs.tokens, {
          small: sum((s) => s.num_output_tokens_small),
          base: sum((s) => s.num_output_tokens_base),
        });
        assert.equal(costs.wastedTokens, rejected.num_output_tokens_small);
        assert.equal(
          costs.criticalPathMs,
          record.steps.reduce((t, s) => t + s.timings.stepMs, 0),
        );
        assert.ok(Number.isFinite(costs.lowerBoundMs) && costs.lowerBoundMs >= 0);
      });
    });

    it('a baseline costs one request of its model, no judge and no waste', async () => {
      await withPair(numbered(3), async (pair) => {
        const record = await runBaseline('base', PROBLEM, configFor(pair));
        const costs = record.summary.costs!;
        assert.deepEqual(costs.requests, { small: 0, base: 1 });
        assert.equal(costs.judgeCalls, 0);
        assert.deepEqual(costs.tokens, { small: 0, base: record.summary.keptTokens });
        assert.equal(costs.wastedTokens, 0);
        assert.equal(record.summary.policy, undefined);
      });
    });
  });

  describe('adaptive-threshold', () => {
    const params = { adaptiveWindow: 2, adaptiveTarget: 0.5, adaptiveGain: 2 };
    const judged = (outcome: string) => ({ decision: { outcome } }) as StepRecord;

    it('is the configured threshold + gain × (recent acceptance − target), within 0–9', () => {
      assert.deepEqual(adaptiveThreshold(7, params, []), { value: 7 });
      assert.equal(adaptiveThreshold(7, params, [judged('kept-draft')]).value, 8);
      assert.equal(adaptiveThreshold(7, params, [judged('kept-draft'), judged('base-rewrote')]).value, 7);
      assert.equal(
        adaptiveThreshold(7, params, [judged('kept-draft'), judged('base-rewrote'), judged('base-rewrote')]).value,
        6,
        'only the last 2 count',
      );
      assert.equal(adaptiveThreshold(8.5, { ...params, adaptiveGain: 9 }, [judged('kept-draft')]).value, 9);
      assert.equal(adaptiveThreshold(1, { ...params, adaptiveGain: 9 }, [judged('base-rewrote')]).value, 0);
      const forced = { origin: 'base-forced' } as StepRecord;
      assert.deepEqual(
        adaptiveThreshold(7, params, [forced]),
        { value: 7 },
        'steps without a judged draft do not count',
      );
      assert.equal(
        adaptiveThreshold(7, params, [judged('kept-draft')]).why,
        '7 + 2 × (100 % kept of the last 1 − target 50 %)',
      );
    });

    it('judges each draft by the threshold in force for its step', async () => {
      await withPair(numbered(7, [9, 8, 7, 7, 6, 9, 9]), async (pair) => {
        const config = configFor(pair, {
          stepPolicy: 'adaptive-threshold',
          adaptiveWindow: 2,
          adaptiveTarget: 0.5,
          adaptiveGain: 2,
        });
        const record = await runSpecReason(PROBLEM, config);
        assert.equal(record.summary.stopReason, 'finished');
        assert.deepEqual(
          record.steps.map((s) => [s.decision?.threshold, s.score, s.origin]),
          [
            [7, 9, 'small'],
            [8, 8, 'small'],
            [8, 7, 'base-fallback'],
            [7, 7, 'small'],
            [7, 6, 'base-fallback'],
            [7, 9, 'small'],
            [7, 9, 'small'],
          ],
        );
        assert.equal(record.steps[2]!.decision?.policy, 'adaptive-threshold');
        assert.equal(
          record.steps[2]!.decision?.explanation,
          'score 7 < threshold 8 (7 + 2 × (100 % kept of the last 2 − target 50 %)): the base model rewrote the step',
        );
        assert.equal(record.summary.policy, 'adaptive-threshold');
      });
    });
  });
});
