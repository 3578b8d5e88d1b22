// Hostile servers seen from the CLI (subprocess): a score that stalls after its headers ends at --timeout,
// is not retried, and the message names the server.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { CLI } from './cliProcess';
import { chatRequests, numbered, withPair } from '../unit/helpers';

const SCENARIO = numbered(4);

describe('hostile servers from the CLI (subprocess)', function () {
  this.timeout(30000);

  it('specreason --timeout 3 against a score that stalls after its headers: one request, the server named', function () {
    return withPair(SCENARIO, async (pair) => {
      pair.base.setFaults([{ fault: 'stall-after-headers', kind: 'score', step: 1 }]);
      const started = performance.now();
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            CLI,
            'solve',
            '--problem',
            'q',
            '--base-url',
            pair.base.baseUrl,
            '--small-url',
            pair.small.baseUrl,
            '--timeout',
            '3',
            '--retries',
            '1',
          ],
          { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, SPECREASON_API_KEY: '' } },
        );
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      console.log(
        `      (--timeout 3 with a stalled score ended after ${((performance.now() - started) / 1000).toFixed(2)} s)`,
      );
      assert.equal(r.code, 1, r.stderr);
      assert.ok(
        r.stderr.includes(
          `did not finish its reply within 3 s: the headers came, the rest did not (${pair.base.baseUrl}; attempt 1 of 2)`,
        ),
        r.stderr,
      );
      assert.equal(chatRequests(pair.base.log).filter((e) => e.kind === 'score' && e.stepIndex === 1).length, 1);
    });
  });
});
