// SpecReasonError keeps the error underneath (`cause`) and the run record describes it for the logs.

import assert from 'node:assert/strict';
import { InternalServerError } from 'openai';
import { describeCause, errorLogLine, SpecReasonError, toErrorInfo } from '../../src/core/errors';
import { runSpecReason } from '../../src/core/engine/specReason';
import { createClients } from '../../src/core/llm/factory';
import { configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 6 times 7?' };

describe('errors keep their cause', () => {
  failOnUnhandledRejections();

  it('the options object: hint, server, status and cause, and what toJSON keeps of them', () => {
    const root = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const middle = new TypeError('fetch failed', { cause: root });
    const error = new SpecReasonError('server_down', 'no server at http://127.0.0.1:9/v1', {
      hint: 'start it',
      server: { role: 'base', url: 'http://127.0.0.1:9/v1' },
      status: 503,
      cause: middle,
    });
    assert.equal(error.cause, middle);
    assert.equal(error.hint, 'start it');
    assert.deepEqual(error.toJSON(), {
      code: 'server_down',
      message: 'no server at http://127.0.0.1:9/v1',
      hint: 'start it',
      server: { role: 'base', url: 'http://127.0.0.1:9/v1' },
      status: 503,
      cause: 'TypeError: fetch failed ← Error: connect ECONNREFUSED 127.0.0.1:9',
    });
    assert.equal(
      errorLogLine(error.toJSON()),
      'server_down: no server at http://127.0.0.1:9/v1 (cause: TypeError: fetch failed ← Error: connect ECONNREFUSED 127.0.0.1:9)',
    );
    assert.equal('cause' in new SpecReasonError('cancelled', 'Run cancelled').toJSON(), false);
  });

  it('describeCause: codes not in the message, control characters, runaway chains and lengths', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    assert.equal(describeCause(socket), 'Error: other side closed [UND_ERR_SOCKET]');
    assert.equal(describeCause(new Error('a\n\u001b[31mred\u0007')), 'Error: a [31mred');
    assert.equal(describeCause('plain'), 'plain');
    assert.equal(describeCause(undefined), undefined);
    const loop: Error & { cause?: unknown } = new Error('again');
    loop.cause = loop;
    assert.equal(describeCause(loop)?.split(' ← ').length, 5);
    assert.ok(describeCause(new Error('x'.repeat(5000)))!.length <= 400);
    assert.deepEqual(toErrorInfo(new Error('outer', { cause: new RangeError('inner') })), {
      code: 'server_error',
      message: 'outer',
      cause: 'RangeError: inner',
    });
  });

  it("a request's failure keeps the SDK's error as its cause", () =>
    withPair(numbered(3), async (pair) => {
      const config = configFor(pair);
      pair.small.setFaults([{ fault: 'http500' }]);
      const thrown = await createClients(config)
        .small.generate(
          { messages: [{ role: 'user', content: 'hi' }], maxTokens: 8, temperature: 0, topP: 1, continueFinal: false },
          new AbortController().signal,
        )
        .then(
          () => assert.fail('the request should fail'),
          (e: unknown) => e,
        );
      assert.ok(thrown instanceof SpecReasonError);
      assert.equal(thrown.code, 'server_error');
      assert.equal(thrown.status, 500);
      assert.ok(thrown.cause instanceof InternalServerError, String(thrown.cause));
    }));

  it('a run against a server that is down records the connection error underneath', () =>
    withPair(numbered(3), async (pair) => {
      const config = configFor(pair);
      await pair.small.stop();
      const record = await runSpecReason(PROBLEM, config);
      assert.equal(record.summary.error?.code, 'server_down');
      // the SDK's connection error, then undici's, with the address it could not reach
      assert.match(record.summary.error.cause ?? '', /Connection error\..* ← .*ECONNREFUSED 127\.0\.0\.1:\d+/);
    }));
});
