// Hostile and broken servers (issue 8 items 1 and 2): every request ends by its deadline, is not
// retried when it timed out, and every malformed reply is a `malformed_reply` error that names the
// server and says what was wrong; the run stops with its trace kept and nothing left open.

import assert from 'node:assert/strict';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import type { ErrorInfo } from '../../src/core/errors';
import { createClients, createServer } from '../../src/core/llm/factory';
import { agentFor, agentOptions, createFetch, RequestDeadline } from '../../src/core/llm/transport';
import type { RunRecord } from '../../src/core/engine/runRecord';
import type { FaultRule } from '../../src/sim/simulatedVllm';
import {
  chatRequests,
  configFor,
  failOnUnhandledRejections,
  numbered,
  withPair,
  type ConfigOverrides,
} from './helpers';

const PROBLEM = { text: 'What is 1 + 1?' };
const SCENARIO = numbered(4);

interface Outcome {
  record: RunRecord;
  error: ErrorInfo;
  /** Chat requests of the faulty server at the faulty step. */
  attempts: number;
  open: number;
  url: string;
}

async function runWithFault(
  where: 'base' | 'small',
  rule: FaultRule,
  overrides: ConfigOverrides = {},
): Promise<Outcome> {
  return withPair(SCENARIO, async (pair) => {
    pair[where].setFaults([rule]);
    const record = await runSpecReason(PROBLEM, configFor(pair, { maxRetries: 1, ...overrides }));
    await pair.base.settled();
    await pair.small.settled();
    const atStep = chatRequests(pair[where].log).filter(
      (e) => e.stepIndex === rule.step && (rule.kind === undefined || rule.kind === 'chat' || e.kind === rule.kind),
    );
    assert.ok(record.summary.error, `the run should fail; it ended ${record.summary.stopReason}`);
    return {
      record,
      error: record.summary.error,
      attempts: atStep.length,
      open: pair.base.openRequests().length + pair.small.openRequests().length,
      url: pair[where].baseUrl,
    };
  });
}

/** The checks every failure shares: its server named, step 0 kept, nothing left open. */
function assertClean(o: Outcome, where: 'base' | 'small'): void {
  assert.equal(o.record.summary.stopReason, 'error');
  assert.equal(o.error.server?.role, where);
  assert.ok(o.error.message.includes(o.url), `the message names ${o.url}: ${o.error.message}`);
  assert.equal(o.record.steps.length, 1, 'step 0 is kept');
  assert.equal(o.open, 0, 'no request left open');
}

describe('hostile servers: bounded, explained, lossless', function () {
  this.timeout(30000);
  failOnUnhandledRejections();

  describe('one deadline per request, never retried when it timed out', () => {
    it('a score reply that stalls after its headers times out, once, naming the server', async () => {
      const o = await runWithFault(
        'base',
        { fault: 'stall-after-headers', kind: 'score', step: 1 },
        {
          requestTimeoutSec: 0.5,
        },
      );
      assertClean(o, 'base');
      assert.equal(o.error.code, 'timeout');
      assert.match(
        o.error.message,
        /^base model did not finish its reply within 0\.5 s: the headers came, the rest did not/,
      );
      assert.match(o.error.message, /attempt 1 of 2\)$/);
      assert.equal(o.attempts, 1, 'a timed-out request is not retried');
    });

    it('a --no-stream step that stalls after its headers times out the same way', async () => {
      const o = await runWithFault(
        'small',
        { fault: 'stall-after-headers', kind: 'step', step: 1 },
        {
          requestTimeoutSec: 0.5,
          stream: false,
        },
      );
      assertClean(o, 'small');
      assert.equal(o.error.code, 'timeout');
      assert.match(o.error.message, /did not finish its reply within 0\.5 s.*attempt 1 of 2\)$/);
      assert.equal(o.attempts, 1);
    });

    it('a stream that sends its headers and then nothing times out on the idle timer, once', async () => {
      const o = await runWithFault(
        'small',
        { fault: 'stall-after-headers', kind: 'step', step: 1 },
        {
          requestTimeoutSec: 0.5,
        },
      );
      assertClean(o, 'small');
      assert.equal(o.error.code, 'timeout');
      assert.match(o.error.message, /^small model sent its headers, then nothing for 0\.5 s \(.*; attempt 1 of 2\)$/);
      assert.equal(o.attempts, 1);
    });

    it('a non-streamed body that drips forever ends at the deadline (headers and body share one)', async () => {
      const o = await runWithFault(
        'small',
        { fault: 'endless-drip', kind: 'step', step: 1 },
        {
          requestTimeoutSec: 0.5,
          stream: false,
        },
      );
      assertClean(o, 'small');
      assert.equal(o.error.code, 'timeout');
      assert.match(o.error.message, /did not finish its reply within 0\.5 s/);
      assert.equal(o.attempts, 1);
    });

    it('retryTimeouts: a request whose headers did not come in time is tried again when the option says so', () =>
      withPair(SCENARIO, async (pair) => {
        pair.small.setFaults([{ fault: 'hang', times: 1 }]);
        const config = configFor(pair);
        const options = { timeoutMs: 300, maxRetries: 1, stream: true, retryTimeouts: true };
        const reply = await createServer('vllm', 'small', config.small, options).generate(
          { messages: [{ role: 'user', content: 'q' }], continueFinal: false, maxTokens: 64, temperature: 0, topP: 1 },
          new AbortController().signal,
        );
        assert.equal(reply.finishReason, 'stop');
        assert.equal(chatRequests(pair.small.log).length, 2);
        await pair.small.settled();
        assert.equal(pair.small.openRequests().length, 0);
      }));

    it('a 503 is still retried: only timeouts are not', async () => {
      const o = await runWithFault('base', { fault: 'http503', kind: 'score', step: 1 }, { maxRetries: 1 });
      assert.equal(o.error.code, 'server_error');
      assert.equal(o.attempts, 2);
    });

    it('a stalled /v1/models in Check Servers is a timeout, not "Run cancelled"', () =>
      withPair(SCENARIO, async (pair) => {
        pair.base.setFaults([{ fault: 'stall-after-headers', kind: 'models' }]);
        const { base } = createClients(configFor(pair, { requestTimeoutSec: 0.5 }));
        const health = await base.health();
        assert.equal(health.ok, false);
        assert.equal(health.error?.code, 'timeout');
        assert.match(health.error.message, /base model did not finish its reply within 0\.5 s/);
        assert.equal(pair.base.log.filter((e) => e.path === '/v1/models').length, 1);
      }));

    it("a timeout above undici's 300 s default reaches undici (headers and body)", () => {
      const options = agentOptions(400_000);
      assert.ok(options.headersTimeout! >= 400_000 && options.bodyTimeout! >= 400_000, JSON.stringify(options));
      // The agent a 400 s client uses is built with them (undici keeps its options under a symbol).
      const agent = agentFor(400_000) as unknown as Record<symbol, { headersTimeout?: number; bodyTimeout?: number }>;
      const key = Object.getOwnPropertySymbols(agent).find((s) => s.description === 'options')!;
      assert.ok(agent[key]!.headersTimeout! >= 400_000 && agent[key]!.bodyTimeout! >= 400_000);
      assert.equal(agentOptions(0.05 * 3000).headersTimeout! % 1, 0, 'whole milliseconds');
    });

    it('a reply larger than the request allows is cut by the transport (oversize), not read to the end', () =>
      withPair(SCENARIO, async (pair) => {
        pair.small.setFaults([{ fault: 'oversize-step' }]);
        const deadline = new RequestDeadline(undefined, {
          timeoutMs: 5000,
          streamed: false,
          attempts: 1,
          retryTimeouts: false,
          maxBytes: 10_000,
        });
        const body = JSON.stringify({ messages: [{ role: 'user', content: 'q' }], max_tokens: 512, stop: ['\n\n'] });
        await assert.rejects(async () => {
          const response = await createFetch(5000)(`${pair.small.baseUrl}/chat/completions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            signal: deadline.signal,
            ...deadline.fetchOptions,
          });
          await response.text();
        });
        deadline.dispose();
        assert.equal(deadline.expired?.phase, 'oversize');
        assert.ok(
          deadline.expired.bytes > 10_000 && deadline.expired.bytes < 1_000_000,
          String(deadline.expired.bytes),
        );
        await pair.small.settled();
        assert.equal(pair.small.openRequests().length, 0);
      }));
  });

  describe('reply validation: malformed_reply names the server and what was wrong', () => {
    const usageCases: Array<[FaultRule['fault'], RegExp]> = [
      ['usage-zero', /usage\.completion_tokens is 0 for \d+ characters of text/],
      ['usage-negative', /usage\.completion_tokens is -5, not a non-negative integer/],
      ['usage-null', /usage\.completion_tokens is null, not a non-negative integer/],
      ['usage-fraction', /usage\.completion_tokens is 2\.5, not a non-negative integer/],
      ['usage-string', /usage\.completion_tokens is "7", not a non-negative integer/],
    ];
    for (const [fault, message] of usageCases) {
      for (const stream of [true, false]) {
        it(`${fault}${stream ? '' : ' (not streaming)'} → malformed_reply`, async () => {
          const o = await runWithFault('small', { fault, kind: 'step', step: 1 }, { stream });
          assertClean(o, 'small');
          assert.equal(o.error.code, 'malformed_reply');
          assert.match(o.error.message, /^small model \(.*\) sent a malformed reply: /);
          assert.match(o.error.message, message);
          assert.equal(o.record.summary.keptTokens, o.record.steps[0]!.final_num_output_tokens);
        });
      }
    }

    it('a stream without a usage chunk: its own diagnosis (a proxy dropping stream_options)', async () => {
      const o = await runWithFault('small', { fault: 'no-usage-chunk', kind: 'step', step: 1 });
      assertClean(o, 'small');
      assert.equal(o.error.code, 'malformed_reply');
      assert.match(o.error.message, /the stream finished without a usage chunk/);
      assert.match(o.error.hint!, /proxy in between probably drops stream_options/);
      assert.doesNotMatch(o.error.hint!, /still running/);
    });

    it('a JSON reply to a streamed request: its own diagnosis (not an event stream)', async () => {
      const o = await runWithFault('small', { fault: 'not-sse', kind: 'step', step: 1 });
      assertClean(o, 'small');
      assert.equal(o.error.code, 'malformed_reply');
      assert.match(o.error.message, /a streamed request got application\/json, not an event stream/);
      assert.match(o.error.hint!, /does not pass streaming through/);
    });

    for (const [fault, status, title] of [
      ['html500', 500, '500 Internal Server Error'],
      ['html502', 502, '502 Bad Gateway'],
    ] as const) {
      it(`an HTML ${status} page: the status and the page's title, never its markup`, async () => {
        const o = await runWithFault('small', { fault, kind: 'step', step: 1 }, { maxRetries: 0 });
        assertClean(o, 'small');
        assert.equal(o.error.code, 'server_error');
        assert.equal(o.error.status, status);
        assert.ok(o.error.message.endsWith(`answered HTTP ${status}: ${title}`), o.error.message);
        assert.doesNotMatch(o.error.message, /[<>]|script|alert/);
      });
    }

    it('an endless stream is cut when it passes max_tokens', async () => {
      const o = await runWithFault('small', { fault: 'endless-drip', kind: 'step', step: 1 }, { stepMaxTokens: 32 });
      assertClean(o, 'small');
      assert.equal(o.error.code, 'malformed_reply');
      assert.match(o.error.message, /kept streaming past 48 chunks for a max_tokens of 32/);
    });

    for (const stream of [true, false]) {
      it(`a step that ignores max_tokens by far${stream ? '' : ' (not streaming)'} → malformed_reply`, async () => {
        const o = await runWithFault('small', { fault: 'oversize-step', kind: 'step', step: 1 }, { stream });
        assertClean(o, 'small');
        assert.equal(o.error.code, 'malformed_reply');
        assert.match(
          o.error.message,
          stream
            ? /kept streaming past 528 chunks for a max_tokens of 512/
            : /completion_tokens is 25600, more than the max_tokens of 512/,
        );
      });
    }

    const bodyCases: Array<[FaultRule['fault'], FaultRule['kind'], RegExp]> = [
      ['empty-body', 'score', /the body is empty/],
      ['null-body', 'score', /the body is null, not a JSON object/],
      ['empty-body', 'step', /the body is empty/],
      ['null-body', 'step', /the body is null, not a JSON object/],
      ['null-top-logprobs-entry', 'score', /choices\[0\]\.logprobs\.content\[0\]\.top_logprobs\[0\] is null/],
    ];
    for (const [fault, kind, message] of bodyCases) {
      it(`${fault} (${kind}) → malformed_reply, not a TypeError`, async () => {
        const where = kind === 'score' ? 'base' : 'small';
        const o = await runWithFault(where, { fault, kind, step: 1 }, { stream: false });
        assertClean(o, where);
        assert.equal(o.error.code, 'malformed_reply');
        assert.match(o.error.message, message);
        assert.doesNotMatch(o.error.message, /Cannot read|TypeError|undefined/);
      });
    }

    it("the SDK's own console output is silenced (a broken SSE event prints nothing)", async () => {
      const written: string[] = [];
      const original = { error: console.error, warn: console.warn, log: console.log };
      console.error = console.warn = console.log = (...args: unknown[]) => written.push(args.join(' '));
      try {
        const o = await runWithFault('small', { fault: 'malformed-json', kind: 'step', step: 1 });
        assert.equal(o.error.code, 'malformed_reply');
      } finally {
        Object.assign(console, original);
      }
      assert.deepEqual(written, []);
    });

    it('a base-only run against a server with bad usage stops with its error, not with a string total', () =>
      withPair(SCENARIO, async (pair) => {
        pair.base.setFaults([{ fault: 'usage-string', kind: 'full' }]);
        const record = await runBaseline('base', PROBLEM, configFor(pair));
        assert.equal(record.summary.error?.code, 'malformed_reply');
        assert.equal(typeof record.summary.keptTokens, 'number');
      }));
  });
});
