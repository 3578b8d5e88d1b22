// What the transport (src/core/llm/transport.ts) relies on from the openai SDK, all of it documented
// public behaviour: the `fetch` client option, `fetchOptions.dispatcher` handed to that fetch with every
// attempt, every retry a new fetch call, a timed-out attempt retried. A new SDK release that changes any
// of it fails here before the request deadlines stop working silently.

import assert from 'node:assert/strict';
import { makeConfig } from '../../src/core/config';
import { clientOptions } from '../../src/core/llm/factory';
import { createServer } from '../../src/core/llm/factory';
import { createFetch, RequestDeadline } from '../../src/core/llm/transport';
import { createSdk, sdkOptions } from '../../src/core/llm/vllm/client';
import { chatRequests, configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

const BODY = {
  model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', // the simulated small server's
  messages: [{ role: 'user' as const, content: 'q' }],
  max_tokens: 8,
  stream: false as const,
};

/** The transport's fetch, recording the dispatcher of every call. */
function spiedFetch(timeoutMs: number): { fetch: typeof fetch; dispatchers: unknown[] } {
  const inner = createFetch(timeoutMs);
  const dispatchers: unknown[] = [];
  return {
    dispatchers,
    fetch: (input, init) => {
      dispatchers.push((init as { dispatcher?: unknown } | undefined)?.dispatcher);
      return inner(input, init);
    },
  };
}

function deadline(timeoutMs: number, attempts: number, retryTimeouts = false): RequestDeadline {
  return new RequestDeadline(undefined, { timeoutMs, streamed: false, attempts, retryTimeouts, maxBytes: 1e7 });
}

describe('the openai SDK does what the transport relies on', () => {
  failOnUnhandledRejections();

  it("hands the request's fetchOptions.dispatcher to the client's fetch on every attempt, one call per attempt", () =>
    withPair(numbered(2), async (pair) => {
      pair.small.setFaults([{ fault: 'http503', times: 1 }]);
      const config = configFor(pair, { maxRetries: 1 });
      const spy = spiedFetch(5000);
      const sdk = createSdk(pair.small.baseUrl, config.small, clientOptions(config), spy.fetch);
      const d = deadline(5000, 2);
      try {
        await sdk.chat.completions.create(BODY, sdkOptions(d));
      } finally {
        d.dispose();
      }
      assert.equal(chatRequests(pair.small.log).length, 2, 'the 503 was retried');
      assert.equal(spy.dispatchers.length, 2);
      assert.ok(spy.dispatchers.every((x) => x === d.dispatcher));
      assert.equal(d.attempts, 2);
    }));

  it('retries an attempt the deadline aborted (headers too late), and the deadline counts it', () =>
    withPair(numbered(2), async (pair) => {
      pair.small.setFaults([{ fault: 'hang', times: 1 }]);
      const config = configFor(pair, { maxRetries: 1 });
      const spy = spiedFetch(300);
      const sdk = createSdk(pair.small.baseUrl, config.small, { ...clientOptions(config), timeoutMs: 300 }, spy.fetch);
      const d = deadline(300, 2, true);
      try {
        await sdk.chat.completions.create(BODY, sdkOptions(d));
      } finally {
        d.dispose();
      }
      assert.equal(d.attempts, 2);
      assert.equal(spy.dispatchers.length, 2);
      assert.equal(d.expired, undefined, 'the second attempt answered in time');
      await pair.small.settled();
    }));

  it('a timeout on the last attempt says which attempt it was', () =>
    withPair(numbered(2), async (pair) => {
      pair.small.setFaults([{ fault: 'hang', times: 2 }]);
      const config = makeConfig({ ...configFor(pair), maxRetries: 1 });
      const server = createServer('vllm', 'small', config.small, {
        ...clientOptions(config),
        timeoutMs: 300,
        stream: false,
        retryTimeouts: true,
      });
      const error = await server
        .generate(
          { messages: [{ role: 'user', content: 'q' }], continueFinal: false, maxTokens: 8, temperature: 0, topP: 1 },
          new AbortController().signal,
        )
        .then(
          () => assert.fail('both attempts hang'),
          (e: unknown) => e as { code?: string; message?: string },
        );
      assert.equal(error.code, 'timeout');
      assert.match(error.message ?? '', /did not answer within 0\.3 s \(.*; attempt 2 of 2\)$/);
      assert.equal(chatRequests(pair.small.log).length, 2);
      await pair.small.settled();
    }));
});
