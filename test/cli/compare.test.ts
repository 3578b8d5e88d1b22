// `specreason compare` end to end, as a subprocess of the bundled dist/cli.js, against the simulated pair.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import type { Comparison } from '../../src/core/presentation/compareTable';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { CLI, cli } from './cliProcess';
import type { SimPair } from '../../src/sim/scenarios';
import { chatRequests, numbered, withPair } from '../unit/helpers';

/** `specreason compare` on a small problem against the pair, with more flags. */
const compare = (pair: SimPair, ...flags: string[]) =>
  cli([
    'compare',
    '--problem',
    'What is 2+2?',
    '--base-url',
    pair.base.baseUrl,
    '--small-url',
    pair.small.baseUrl,
    ...flags,
  ]);

describe('specreason compare (subprocess)', function () {
  this.timeout(30000);
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });

  it('--json: SpecReason and base-only on the same problem, the comparison and both records', () =>
    withPair(numbered(3, [9, 2, 9]), async (pair) => {
      const r = await compare(pair, '--threshold', '5', '--json');
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { comparison: Comparison; runs: RunRecord[] };
      assert.deepEqual(
        out.runs.map((run) => [run.mode, run.summary.stopReason, run.summary.answer]),
        [
          ['specreason', 'finished', '42'],
          ['base', 'finished', '42'],
        ],
      );
      assert.equal(out.runs[0]!.summary.rejected, 1, 'the step scored 2 was rewritten');
      assert.equal(out.runs[0]!.config.threshold, 5);
      assert.deepEqual(
        out.comparison.rows.map((row) => row.mode),
        ['specreason', 'base'],
      );
      assert.equal(out.comparison.answersAgree, true);
      assert.equal(out.comparison.speedup, out.runs[1]!.summary.wallMs / out.runs[0]!.summary.wallMs);
      assert.match(r.stderr, /specreason: specreason run .*\n(.*\n)*specreason: base run /, 'progress for both runs');
    }));

  it("prints the panel's table: one row per run, the speedup and whether the answers agree", () =>
    withPair(numbered(3, [9, 9, 9]), async (pair) => {
      const r = await compare(pair, '-q', '--include-small', '--order', 'concurrent');
      assert.equal(r.code, 0, r.stderr);
      const lines = r.stdout.split('\n');
      assert.match(
        lines[0]!,
        /^Run +Wall time +First token +Small tokens +Base tokens +Steps +Acceptance +Answer +Stop reason +Wasted tokens$/,
      );
      assert.match(lines[1]!, /^SpecReason +[\d.]+ m?s +[\d.]+ m?s +\d+ +\d+ +3 +100\.0% +42 +answer reached +0$/);
      assert.match(lines[2]!, /^Base only +[\d.]+ m?s +[\d.]+ m?s +0 +\d+ +1 +— +42 +answer reached +0$/);
      assert.match(lines[3]!, /^Small only +[\d.]+ m?s +[\d.]+ m?s +\d+ +0 +1 +— +42 +answer reached +0$/);
      assert.match(
        r.stdout,
        /\nspeedup vs base only: \d+\.\d\d× (faster|— slower) \(base-only wall time ÷ SpecReason wall time\); answers agree\n/,
      );
      assert.equal(r.stderr, '', '-q prints no progress');
    }));

  it('a server that is down: exit 1, the failed run and a placeholder for the run that never started', () =>
    withPair(numbered(3, [9, 9, 9]), async (pair) => {
      await pair.small.stop();
      const r = await compare(pair, '-q', '--retries', '0', '--json');
      assert.equal(r.code, 1, r.stderr);
      const out = JSON.parse(r.stdout) as { comparison: Comparison; runs: RunRecord[] };
      assert.deepEqual(
        out.runs.map((run) => [run.mode, run.summary.stopReason]),
        [
          ['specreason', 'error'],
          ['base', 'cancelled'],
        ],
      );
      assert.equal(out.runs[0]!.summary.error?.code, 'server_down');
      assert.equal(out.comparison.speedup, undefined);
      assert.equal(chatRequests(pair.base.log).length, 0, 'the base-only run never started');
    }));

  it('no problem given: exit 2 with what to give', async () => {
    const r = await cli(['compare', '--base-url', 'http://127.0.0.1:9/v1']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--problem/);
  });
});
