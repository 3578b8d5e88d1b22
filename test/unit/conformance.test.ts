// The conformance probe against the simulated servers: it passes on a well-behaved server and fails, each with
// its named fix, on a server that answers a continuation as a new turn, returns no logprobs, caps the top
// logprobs below 10, has a context shorter than the budget, or serves without prefix caching.

import assert from 'node:assert/strict';
import { createServer, clientOptions } from '../../src/core/llm/factory';
import {
  conformanceFailed,
  conformanceReport,
  continuationVerdict,
  probeConformance,
  type RoleConformance,
} from '../../src/core/llm/conformance';
import { makeConfig } from '../../src/core/config';
import { baseScript } from '../../src/sim/scenarios';
import { SimulatedVllm, type SimServerOptions } from '../../src/sim/simulatedVllm';
import { failOnUnhandledRejections, numbered } from './helpers';

const SCENARIO = numbered(3);

async function probeWith(options: Partial<SimServerOptions>, budget = 8192): Promise<RoleConformance> {
  const sim = new SimulatedVllm({ model: 'sim-base', script: baseScript(SCENARIO), maxModelLen: 32768, ...options });
  await sim.start(0);
  try {
    const config = makeConfig({ requestTimeoutSec: 5, maxRetries: 0, tokenBudget: budget, base: { url: sim.baseUrl } });
    const server = createServer('vllm', 'base', config.base, clientOptions(config));
    return await probeConformance(server, config, new AbortController().signal);
  } finally {
    await sim.stop();
  }
}

const byId = (r: RoleConformance, id: string) => r.checks.find((c) => c.id === id)!;

/** Probe a simulated server of a dialect, the kind left to detection (as Check Servers does). */
async function probeDialect(options: Partial<SimServerOptions>): Promise<RoleConformance> {
  const sim = new SimulatedVllm({
    model: 'Qwen/QwQ-32B',
    script: baseScript(SCENARIO),
    maxModelLen: 32768,
    ...options,
  });
  await sim.start(0);
  try {
    const raw = options.dialect === 'llama-server' || options.dialect === 'ollama';
    const config = makeConfig({
      requestTimeoutSec: 5,
      maxRetries: 0,
      tokenBudget: 8192,
      base: { url: raw ? sim.url : sim.baseUrl, model: options.model },
    });
    const server = createServer('auto', 'base', config.base, clientOptions(config));
    return await probeConformance(server, config, new AbortController().signal);
  } finally {
    await sim.stop();
  }
}

describe('conformance probe', function () {
  this.timeout(20000);
  failOnUnhandledRejections();

  it('passes every check on a well-behaved server', async () => {
    const r = await probeWith({});
    assert.deepEqual(
      r.checks.map((c) => [c.id, c.status]),
      [
        ['continuation', 'pass'],
        ['score', 'pass'],
        ['context', 'pass'],
        ['prefix-caching', 'pass'],
      ],
      conformanceReport([r], { product: 'test', node: process.version }),
    );
    assert.equal(r.model, 'sim-base');
    assert.equal(conformanceFailed([r]), false);
  });

  it('a continuation answered as a new turn: fails with the fix', async () => {
    const c = byId(await probeWith({ faults: [{ fault: 'new-turn' }] }), 'continuation');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /new turn/);
    assert.match(c.fix!, /continue_final_message/);
  });

  it('no logprobs in the score reply: fails with the fix', async () => {
    const c = byId(await probeWith({ faults: [{ fault: 'missing-logprobs', kind: 'score' }] }), 'score');
    assert.equal(c.status, 'fail');
    assert.match(c.fix!, /logprobs/);
  });

  it('top logprobs capped below 10: fails with the fix', async () => {
    const c = byId(await probeWith({ maxLogprobs: 5 }), 'score');
    assert.equal(c.status, 'fail');
    assert.match(c.fix!, /--max-logprobs 20/);
  });

  it('a context shorter than the budget: fails with the fix', async () => {
    const c = byId(await probeWith({ maxModelLen: 4096 }, 8192), 'context');
    assert.equal(c.status, 'fail');
    assert.match(c.detail, /context 4096 < budget 8192/);
    assert.match(c.fix!, /--max-model-len/);
  });

  it('prefix caching off: fails with the fix', async () => {
    const c = byId(await probeWith({ prefixCaching: false }), 'prefix-caching');
    assert.equal(c.status, 'fail');
    assert.match(c.fix!, /--enable-prefix-caching/);
  });

  it('the report names every check, its verdict and fix, to paste in a bug report', async () => {
    const r = await probeWith({ maxModelLen: 4096, prefixCaching: false });
    const text = conformanceReport([r], { product: 'specreason 0.1.0', node: process.version });
    assert.match(text, /^SpecReason conformance probe — specreason 0\.1\.0/);
    assert.match(text, /base: http:\/\/127\.0\.0\.1:\d+\/v1 — vllm, model sim-base, context 4096/);
    assert.match(text, /FAIL {2}context: .*\n {8}fix: vLLM: restart with a larger --max-model-len/);
    assert.match(text, /PASS {2}continuation/);
  });

  describe('on every dialect of the simulator (the kind detected from the URL)', () => {
    const MODELS = ['Qwen/QwQ-32B', 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B'];
    const statuses = (r: RoleConformance) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));

    for (const dialect of ['llama-server', 'ollama'] as const) {
      for (const model of MODELS) {
        it(`${dialect}, ${model}: every check passes on the raw prompt the client renders`, async () => {
          const r = await probeDialect({ dialect, model });
          assert.equal(r.kind, dialect);
          assert.equal(r.model, model);
          assert.deepEqual(
            statuses(r),
            {
              continuation: 'pass',
              score: 'pass',
              context: 'pass',
              // llama-server caches prompts (cache_prompt); Ollama has no metrics to tell.
              'prefix-caching': dialect === 'llama-server' ? 'pass' : 'skip',
            },
            conformanceReport([r], { product: 'test', node: process.version }),
          );
          assert.equal(conformanceFailed([r]), false);
        });
      }
    }

    for (const model of MODELS) {
      it(`SGLang, ${model}: the continuation works but the prefill follows the generation prompt's <think>: a warning with the fix`, async () => {
        const r = await probeDialect({ dialect: 'sglang', model });
        assert.equal(r.kind, 'sglang');
        const c = byId(r, 'continuation');
        assert.equal(c.status, 'warn', conformanceReport([r], { product: 'test', node: process.version }));
        assert.match(
          c.detail,
          /^continues the prefilled reasoning .*; but the prefill is appended after the generation prompt \(\d+ prompt tokens for the continued "<think>", \d+ for a fresh turn\): the model reads <think> twice$/,
        );
        assert.match(
          c.fix!,
          /^SGLang appends a continued assistant message after the chat template's generation prompt/,
        );
        assert.match(c.fix!, /--chat-template/);
        assert.deepEqual([byId(r, 'score').status, byId(r, 'context').status], ['pass', 'pass']);
        assert.equal(conformanceFailed([r]), false, 'a warning, not a failure: the run works');
      });
    }

    it('no warning where nothing is doubled: vLLM continues in place; the generation prompt of Qwen2.5 opens no <think>', async () => {
      const vllm = await probeDialect({ dialect: 'vllm', model: 'Qwen/QwQ-32B' });
      assert.equal(byId(vllm, 'continuation').status, 'pass');
      const qwen = await probeDialect({ dialect: 'sglang', model: 'Qwen/Qwen2.5-7B-Instruct' });
      assert.equal(byId(qwen, 'continuation').status, 'pass');
    });

    it('raw-prompt dialects fail with their own fixes: a new turn, no logprobs, too few, a short context', async () => {
      const newTurn = byId(await probeDialect({ dialect: 'ollama', faults: [{ fault: 'new-turn' }] }), 'continuation');
      assert.equal(newTurn.status, 'fail');
      assert.match(newTurn.fix!, /Ollama must be reached through its native API/);
      const old = byId(await probeDialect({ dialect: 'ollama', ollamaVersion: '0.11.4' }), 'score');
      assert.equal(old.status, 'fail');
      assert.match(old.fix!, /upgrade Ollama to 0\.12\.11 or later/);
      const capped = byId(await probeDialect({ dialect: 'llama-server', topLogprobsCap: 5 }), 'score');
      assert.equal(capped.status, 'fail');
      assert.match(capped.detail, /5 top logprobs came back/);
      const short = byId(await probeDialect({ dialect: 'llama-server', maxModelLen: 4096 }), 'context');
      assert.equal(short.status, 'fail');
      assert.match(short.fix!, /llama-server: restart it with a larger -c/);
    });
  });

  it('reads replies: a continued count, a restarted turn, or neither', () => {
    assert.equal(continuationVerdict(' four, five'), 'continued');
    assert.equal(continuationVerdict('Four, five'), 'continued');
    assert.equal(continuationVerdict('<think>\nOkay'), 'new-turn');
    assert.equal(continuationVerdict('Okay, let me count'), 'new-turn');
    assert.equal(continuationVerdict('<|im_start|>assistant'), 'new-turn');
    assert.equal(continuationVerdict(' 4, 5'), 'unclear');
  });
});
