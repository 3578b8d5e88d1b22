// The step-policy registry: which policy a config asks for, what each needs from the servers, and that a
// run refuses one its servers cannot serve before the first step, saying why.

import assert from 'node:assert/strict';
import { DEFAULT_CONFIG, STEP_POLICIES, validateConfig } from '../../src/core/config';
import { policyParams, policyProblem } from '../../src/core/engine/policies';
import { runSpecReason } from '../../src/core/engine/specReason';
import { RUN_SETTINGS } from '../../src/core/settingsTable';
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
});
