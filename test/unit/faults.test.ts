import assert from 'node:assert/strict';
import { runSpecReason } from '../../src/core/engine/specReason';
import { SpecReasonError } from '../../src/core/errors';
import { VllmClient } from '../../src/core/llm/vllm/client';
import type { Fault, FaultRule } from '../../src/sim/simulatedVllm';
import { chatRequests, configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 1 + 1?' };
const SCENARIO = numbered(4);

/** Run with a fault on one server and return the run record. */
async function runWithFault(
  where: 'base' | 'small',
  rules: FaultRule[],
  overrides: Parameters<typeof configFor>[1] = {},
  serverOptions = {},
) {
  return withPair(
    SCENARIO,
    async (pair) => {
      pair[where].setFaults(rules);
      const record = await runSpecReason(PROBLEM, configFor(pair, overrides));
      await pair.base.settled();
      await pair.small.settled();
      return { record, pair, open: pair.base.openRequests().length + pair.small.openRequests().length };
    },
    serverOptions,
  );
}

describe('faults: every failure is a clear error and the trace so far is kept', () => {
  failOnUnhandledRejections();

  it('a server that is down: "no server at … — is vLLM running?"', () =>
    withPair(SCENARIO, async (pair) => {
      await pair.small.stop();
      const record = await runSpecReason(PROBLEM, configFor(pair));
      assert.equal(record.summary.stopReason, 'error');
      assert.equal(record.summary.error?.code, 'server_down');
      assert.match(
        record.summary.error.message,
        new RegExp(`no server at ${pair.small.baseUrl.replace(/[.]/g, '\\.')} — is vLLM running\\?`),
      );
      assert.match(record.summary.error.hint!, /vllm serve deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B --port \d+/);
    }));

  it('a server killed mid-run keeps the steps done before', () =>
    withPair(SCENARIO, async (pair) => {
      const record = await runSpecReason(PROBLEM, configFor(pair), {
        onEvent: (e) => {
          if (e.type === 'step-done' && e.record.step_id === 1) {
            void pair.base.stop();
          }
        },
      });
      assert.equal(record.summary.stopReason, 'error');
      assert.equal(record.steps.length, 2);
      assert.ok(['server_down', 'stream_dropped'].includes(record.summary.error!.code), record.summary.error!.code);
    }));

  const cases: Array<{
    fault: Fault;
    where: 'base' | 'small';
    kind?: FaultRule['kind'];
    code: string;
    message: RegExp;
    stream?: boolean;
  }> = [
    { fault: 'http500', where: 'small', code: 'server_error', message: /Simulated internal server error/ },
    { fault: 'http503', where: 'base', kind: 'score', code: 'server_error', message: /service unavailable/ },
    { fault: 'http401', where: 'base', code: 'auth', message: /refused the API key \(HTTP 401\)/ },
    { fault: 'http404-model', where: 'small', code: 'model_not_found', message: /does not exist/ },
    { fault: 'context-overflow', where: 'small', code: 'context_length', message: /maximum context length is/ },
    { fault: 'drop-mid-stream', where: 'small', code: 'stream_dropped', message: /./ },
    { fault: 'drop-mid-stream', where: 'small', code: 'stream_dropped', message: /./, stream: false },
    {
      fault: 'reset',
      where: 'base',
      kind: 'score',
      code: 'stream_dropped',
      message: /connection to the base model was lost/,
    },
    { fault: 'malformed-json', where: 'small', code: 'malformed_reply', message: /not valid JSON/, stream: false },
    { fault: 'malformed-json', where: 'small', code: 'malformed_reply', message: /not valid JSON/ },
    {
      fault: 'missing-logprobs',
      where: 'base',
      kind: 'score',
      code: 'malformed_reply',
      message: /score reply has no logprobs/,
    },
    { fault: 'stream-error-event', where: 'small', code: 'server_error', message: /Simulated engine failure/ },
  ];
  for (const c of cases) {
    it(`${c.fault} from the ${c.where} model${c.kind ? ` (${c.kind})` : ''}${c.stream === false ? ', not streaming' : ''} at step 1 → ${c.code}`, async () => {
      const { record, open } = await runWithFault(c.where, [{ fault: c.fault, kind: c.kind, step: 1 }], {
        stream: c.stream ?? true,
      });
      const expectedStop = c.code === 'context_length' ? 'context_length' : 'error';
      assert.equal(record.summary.stopReason, expectedStop);
      assert.equal(record.summary.error?.code, c.code, record.summary.error?.message);
      assert.match(record.summary.error.message, c.message);
      assert.equal(record.summary.error.server?.role, c.where);
      assert.equal(record.steps.length, 1, 'step 0 is kept');
      assert.equal(open, 0, 'no request left open');
    });
  }

  it('retries a 503 once by default and then succeeds', async () => {
    const { record, pair } = await runWithFault('base', [{ fault: 'http503', kind: 'score', step: 1, times: 1 }], {
      maxRetries: 1,
    });
    assert.equal(record.summary.stopReason, 'finished');
    assert.equal(chatRequests(pair.base.log).filter((e) => e.kind === 'score' && e.stepIndex === 1).length, 2);
  });

  it('a server that hangs before answering times out with the configured timeout', async () => {
    const { record, open } = await runWithFault('small', [{ fault: 'hang', step: 1 }], { requestTimeoutSec: 0.3 });
    assert.equal(record.summary.error?.code, 'timeout');
    assert.match(
      record.summary.error.message,
      /small model did not answer within 0.3 s|small model sent nothing for 0.3 s/,
    );
    assert.equal(open, 0, 'the hung request was closed by the client');
  });

  it('a stream that goes silent mid-reply times out (idle timer)', async () => {
    const { record, open } = await runWithFault('small', [{ fault: 'hang-mid-stream', step: 1 }], {
      requestTimeoutSec: 0.3,
    });
    assert.equal(record.summary.error?.code, 'timeout');
    assert.match(record.summary.error.message, /sent nothing for 0.3 s/);
    assert.equal(open, 0);
  });

  it('a server that requires a key answers 401 without it, and works with it', () =>
    withPair(
      SCENARIO,
      async (pair) => {
        const without = await runSpecReason(PROBLEM, configFor(pair));
        assert.equal(without.summary.error?.code, 'auth');
        assert.match(without.summary.error.hint!, /API key/);
        const withKey = await runSpecReason(
          PROBLEM,
          configFor(pair, { base: { apiKey: 'sekrit' }, small: { apiKey: 'sekrit' } }),
        );
        assert.equal(withKey.summary.stopReason, 'finished');
        assert.ok(!JSON.stringify(withKey).includes('sekrit'), 'the key never reaches the record');
      },
      { base: { apiKey: 'sekrit' }, small: { apiKey: 'sekrit' } },
    ));

  for (const version of ['0.8.5', '0.11.0']) {
    it(`keeps vLLM ${version}'s error message (${version === '0.8.5' ? 'flat' : 'nested'} error body)`, () =>
      withPair(
        SCENARIO,
        async (pair) => {
          pair.small.setFaults([{ fault: 'http500' }]);
          const client = new VllmClient(
            'small',
            { url: pair.small.baseUrl, model: '', apiKey: '' },
            { timeoutMs: 2000, maxRetries: 0, stream: false },
          );
          await assert.rejects(
            client.generate(
              {
                messages: [{ role: 'user', content: 'x' }],
                continueFinal: false,
                maxTokens: 5,
                temperature: 0,
                topP: 1,
              },
              new AbortController().signal,
            ),
            (e: SpecReasonError) =>
              e.code === 'server_error' && /Simulated internal server error/.test(e.message) && e.status === 500,
          );
        },
        { small: { version } },
      ));
  }

  it('the sim rejects what vLLM rejects: both template flags, unknown model, stream_options without stream', () =>
    withPair(SCENARIO, async (pair) => {
      const post = (body: unknown) =>
        fetch(`${pair.small.baseUrl}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        }).then(async (r) => ({ status: r.status, body: (await r.json()) as { error: { message: string } } }));
      const messages = [
        { role: 'user', content: 'q' },
        { role: 'assistant', content: '<think>a\n\n' },
      ];
      let r = await post({ messages, continue_final_message: true, add_generation_prompt: true });
      assert.equal(r.status, 400);
      assert.match(
        r.body.error.message,
        /Cannot set both `continue_final_message` and `add_generation_prompt` to True/,
      );
      r = await post({ messages, continue_final_message: true }); // the server's default add_generation_prompt=true
      assert.equal(r.status, 400);
      assert.match(r.body.error.message, /not compatible/);
      r = await post({ model: 'nope', messages });
      assert.equal(r.status, 404);
      r = await post({ messages, stream_options: { include_usage: true } });
      assert.equal(r.status, 400);
      r = await post({
        messages: [
          { role: 'user', content: 'q' },
          { role: 'assistant', content: '<think>a</think>' },
        ],
        continue_final_message: true,
        add_generation_prompt: false,
      });
      assert.equal(r.status, 400);
      const health = await fetch(`${pair.small.url}/health`);
      assert.equal(health.status, 200);
      assert.equal(await health.text(), '');
      assert.deepEqual(await (await fetch(`${pair.small.url}/version`)).json(), { version: '0.11.0' });
    }));

  it('health check reports model, max_model_len, version and round trip; and a down server', () =>
    withPair(SCENARIO, async (pair) => {
      const config = configFor(pair);
      const client = new VllmClient('base', config.base, { timeoutMs: 2000, maxRetries: 0, stream: true });
      const h = await client.health();
      assert.equal(h.ok, true);
      assert.deepEqual(h.models, [{ id: 'Qwen/QwQ-32B', maxModelLen: 32768, ownedBy: 'specreason-simulator' }]);
      assert.equal(h.version, '0.11.0');
      assert.ok(h.roundTripMs! >= 0);
      await pair.base.stop();
      const down = await new VllmClient('base', config.base, { timeoutMs: 2000, maxRetries: 0, stream: true }).health();
      assert.equal(down.ok, false);
      assert.equal(down.error?.code, 'server_down');
    }));

  it('reads /metrics: prefix cache counters, and spec-decode series only when enabled', () =>
    withPair(
      SCENARIO,
      async (pair) => {
        await runSpecReason(PROBLEM, configFor(pair));
        const base = await (await fetch(`${pair.base.url}/metrics`)).text();
        assert.match(base, /vllm:prefix_cache_hits_total\{[^}]*\} [1-9]\d*\.0/);
        assert.match(base, /vllm:spec_decode_num_drafts_total/);
        const small = await (await fetch(`${pair.small.url}/metrics`)).text();
        assert.doesNotMatch(small, /spec_decode/);
      },
      { base: { specDecode: true } },
    ));
});
