// CLI numbers come from the settings table's parser: empty or non-decimal values are exit 2 naming the flag,
// and the run-guard flags reach the run (subprocess of the bundled dist/cli.js).

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { withPair } from '../unit/helpers';
import type { RunRecord } from '../../src/core/engine/runRecord';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Async so the simulated pair in this process keeps answering.
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('CLI numbers (subprocess)', function () {
  this.timeout(30000);
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });

  const cases: Array<[string, string, RegExp]> = [
    ['--threshold', '', /--threshold must be a decimal number \(got ""\)/],
    ['--threshold', '0x7', /--threshold must be a decimal number \(got "0x7"\)/],
    ['--score_threshold', '0x7', /--score_threshold must be a decimal number \(got "0x7"\)/],
    ['--retries', '', /--retries must be a whole number \(got ""\)/],
    ['--temperature', '', /--temperature must be a decimal number \(got ""\)/],
    ['--token-budget', '1e7', /--token-budget must be between 1 and 1000000 \(got 10000000\)/],
    ['--max-steps', '0', /--max-steps must be between 1 and 10000000 \(got 0\)/],
    ['--max-wall-time', '-1', /--max-wall-time must be between 0 and 604800 \(got -1\)/],
  ];
  for (const [flag, value, message] of cases) {
    it(`${flag} ${JSON.stringify(value)} is exit 2 with a clear message`, () => {
      const r = spawnSync(process.execPath, [CLI, 'solve', '--problem', 'x', flag, value], { encoding: 'utf8' });
      assert.equal(r.status, 2, r.stderr);
      assert.match(r.stderr, message);
    });
  }

  it('the reference spec_reason.py flags and the guard flags reach the run', () =>
    withPair(
      {
        small: Array.from({ length: 50 }, (_, i) => `small step ${i}.`),
        base: Array.from({ length: 50 }, (_, i) => `base step ${i}.`),
        scores: [],
      },
      async (pair) => {
        const r = await cli([
          'solve',
          '--problem',
          'x',
          '--base-url',
          pair.base.baseUrl,
          '--small-url',
          pair.small.baseUrl,
          '--score_threshold',
          '8',
          '--token_budget',
          '100000',
          '--max-steps',
          '3',
          '--json',
          '-q',
        ]);
        assert.equal(r.code, 0, r.stderr);
        const record = JSON.parse(r.stdout) as RunRecord;
        assert.equal(record.config.threshold, 8);
        assert.equal(record.config.tokenBudget, 100000);
        assert.equal(record.summary.stopReason, 'max_steps');
        assert.equal(record.steps.length, 3);
      },
    ));
});
