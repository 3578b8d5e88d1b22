// A comparison repeated (issue 19: an honest speedup): the median and range of the rounds' speedups, a tie
// when the range reaches 1× both ways, the warm-up before the first round, and `specreason compare --repeat`.
// The logic is asserted on recorded wall times; nothing here depends on how fast the machine is.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import {
  median,
  repeatedComparisonText,
  repeatedSpeedup,
  type Comparison,
} from '../../src/core/presentation/compareTable';
import { runRepeatedComparison, type ComparisonRun } from '../../src/core/engine/comparison';
import type { RunMode } from '../../src/core/config';
import { speedupDetail, speedupHeadline } from '../../src/core/presentation/format';
import { emptySummary, type RunSummary } from '../../src/core/engine/runRecord';
import { CLI, cli } from './cliProcess';
import type { RequestLogEntry } from '../../src/sim/simulatedVllm';
import { chatRequests, configFor, numbered, withPair } from '../unit/helpers';

const PROBLEM = { text: 'What is 21 + 21?' };

/** The warm-up: a whole-reasoning request ('full', no step stop) of one token. */
const isWarmUp = (e: RequestLogEntry) => e.kind === 'full' && e.body?.max_tokens === 1;

/** A finished run's summary with a recorded wall time. */
function ran(mode: RunMode, wallMs: number, stopReason: RunSummary['stopReason'] = 'finished'): RunSummary {
  return { ...emptySummary(mode, stopReason), wallMs, answer: '42' };
}

/** Rounds of [SpecReason ms, base-only ms]. */
const rounds = (...pairs: Array<[number, number]>) =>
  pairs.map(([spec, base]) => [ran('specreason', spec), ran('base', base)]);

describe('repeated comparison: the speedup as a median with its range', function () {
  this.timeout(30000);

  it('median: the middle value, the mean of the middle two, none for no values', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.equal(median([]), undefined);
  });

  it('every round faster: the median speedup with its range, called faster', () => {
    // The six samples of one Compare, as recorded wall times (base 1000 ms).
    const r = repeatedSpeedup(rounds([990, 1000], [781, 1000], [685, 1000], [633, 1000], [585, 1000], [562, 1000]));
    assert.equal(r.samples.length, 6);
    assert.equal(r.verdict, 'faster');
    assert.ok(r.speedup);
    assert.equal(r.speedup.samples, 6);
    assert.equal(r.speedup.low.toFixed(2), '1.01');
    assert.equal(r.speedup.high.toFixed(2), '1.78');
    assert.equal(r.speedup.median.toFixed(2), '1.52');
    assert.equal(speedupHeadline(r), '1.52× faster');
    assert.equal(speedupDetail(r), 'median of 6 runs, range 1.01–1.78×');
    assert.deepEqual(r.wall.base, { median: 1000, low: 1000, high: 1000, samples: 6 });
  });

  it('a range that reaches 1× both ways is a tie, whatever the median says', () => {
    const r = repeatedSpeedup(rounds([900, 1000], [1100, 1000], [800, 1000]));
    assert.equal(r.verdict, 'tie');
    assert.equal(r.speedup?.median.toFixed(2), '1.11');
    assert.equal(speedupHeadline(r), 'tie (1.11×)');
    assert.match(
      speedupDetail(r),
      /^median of 3 runs, range 0\.91–1\.25×: the range includes 1×, so neither is faster$/,
    );
  });

  it('every round slower: slower, in the words of a single comparison', () => {
    const r = repeatedSpeedup(rounds([1500, 1000], [1800, 1000], [1600, 1000]));
    assert.equal(r.verdict, 'slower');
    assert.equal(speedupHeadline(r), '0.63× — slower');
  });

  it('one round: a direction, no spread, and the suggestion to repeat', () => {
    const r = repeatedSpeedup(rounds([500, 1000]));
    assert.equal(r.verdict, 'faster');
    assert.equal(speedupHeadline(r), '2.00× faster');
    assert.match(speedupDetail(r), /one run.*compare 3×/);
  });

  it('rounds that did not complete give no sample; no complete round gives no speedup', () => {
    const partial = repeatedSpeedup([
      [ran('specreason', 500), ran('base', 1000)],
      [ran('specreason', 400, 'cancelled'), ran('base', 0, 'cancelled')],
    ]);
    assert.deepEqual(partial.samples, [2]);
    assert.equal(partial.wall.specreason?.samples, 1, 'a cancelled run is not a wall-time sample');
    const none = repeatedSpeedup([[ran('specreason', 400, 'cancelled'), ran('base', 0, 'cancelled')]]);
    assert.equal(none.speedup, undefined);
    assert.equal(none.verdict, undefined);
    assert.equal(speedupHeadline(none), '—');
  });

  it('repeatedComparisonText: every round numbered, the wall time per mode, the median speedup', () => {
    const recorded = rounds([600, 1000], [500, 1000], [700, 1100]);
    const comparisons: Comparison[] = recorded.map((summaries) => ({
      rows: summaries.map((s) => ({
        mode: s.mode,
        wallMs: s.wallMs,
        smallTokens: 0,
        baseTokens: 0,
        steps: 1,
        answer: '42',
        stopReason: s.stopReason,
        wastedTokens: 0,
      })),
      speedup: summaries[1]!.wallMs / summaries[0]!.wallMs,
      answersAgree: true,
    }));
    const text = repeatedComparisonText(comparisons, repeatedSpeedup(recorded));
    const lines = text.split('\n');
    assert.deepEqual(
      lines.slice(1, 7).map((l) => l.split(/ {2,}/)[0]),
      ['SpecReason #1', 'Base only #1', 'SpecReason #2', 'Base only #2', 'SpecReason #3', 'Base only #3'],
    );
    assert.ok(
      lines.includes(
        'wall time, median (range) of 3 runs: SpecReason 600 ms (500 ms–700 ms), Base only 1.00 s (1.00 s–1.10 s)',
      ),
    );
    assert.match(
      text,
      /\nspeedup vs base only: 1\.67× faster — median of 3 runs, range 1\.57–2\.00× \(base-only wall time ÷ SpecReason wall time\); answers agree\n/,
    );
  });

  it('runs the rounds against the pair after one one-token warm-up request to each server', () =>
    withPair(numbered(3, [9, 2, 9]), async (pair) => {
      const started: Array<{ round: number; runs: readonly ComparisonRun[] }> = [];
      const result = await runRepeatedComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        rounds: 3,
        onRound: (round, runs) => started.push({ round, runs }),
      });
      assert.equal(result.warmedUp, true);
      assert.deepEqual(
        started.map((s) => [s.round, s.runs.map((r) => r.mode)]),
        [
          [0, ['specreason', 'base']],
          [1, ['specreason', 'base']],
          [2, ['specreason', 'base']],
        ],
      );
      assert.equal(new Set(started.flatMap((s) => s.runs.map((r) => r.runId))).size, 6, 'a run id per run');
      assert.deepEqual(
        result.records.map((r) => [r.mode, r.summary.stopReason, r.summary.answer]),
        Array.from({ length: 3 }, () => [
          ['specreason', 'finished', '42'],
          ['base', 'finished', '42'],
        ]).flat(),
      );
      assert.equal(result.speedup.samples.length, 3);
      for (const server of [pair.base, pair.small]) {
        const chats = chatRequests(server.log);
        assert.ok(isWarmUp(chats[0]!), "each server's first request is the warm-up");
        assert.equal(chats.filter(isWarmUp).length, 1, 'one warm-up per server');
      }
      // The warm-up is not part of any run: each round's SpecReason run sent what a single run sends.
      assert.equal(result.rounds[0]!.records[0]!.summary.rejected, 1);
    }));

  it('no warm-up when asked, or when a server is down (the run reports it); cancelling stops the rounds', () =>
    withPair(numbered(3, [9, 9, 9]), async (pair) => {
      const cold = await runRepeatedComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        rounds: 1,
        warmUp: false,
      });
      assert.equal(cold.warmedUp, false);
      assert.equal([...chatRequests(pair.base.log), ...chatRequests(pair.small.log)].filter(isWarmUp).length, 0);

      const controller = new AbortController();
      const started: number[] = [];
      const cancelled = await runRepeatedComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        rounds: 3,
        signal: controller.signal,
        onRound: (round) => started.push(round),
        onEvent: (event, _run, round) => {
          if (round === 1 && event.type === 'step-done') {
            controller.abort();
          }
        },
      });
      assert.deepEqual(started, [0, 1], 'no round starts after a cancel');
      assert.deepEqual(
        cancelled.records.map((r) => r.summary.stopReason),
        ['finished', 'finished', 'cancelled', 'cancelled'],
      );
      assert.equal(cancelled.speedup.samples.length, 1, 'only the complete round counts');

      await pair.small.stop();
      const before = chatRequests(pair.base.log).length;
      const down = await runRepeatedComparison(PROBLEM, ['specreason', 'base'], configFor(pair, { maxRetries: 0 }), {
        rounds: 3,
      });
      assert.equal(down.warmedUp, false);
      assert.equal(chatRequests(pair.base.log).length, before, 'nothing was sent to the base server');
      assert.equal(down.rounds.length, 1, 'a failed round ends the comparison');
      assert.equal(down.records[0]!.summary.error?.code, 'server_down');
    }));

  describe('specreason compare --repeat (subprocess)', function () {
    before(function () {
      if (!existsSync(CLI)) {
        throw new Error(`${CLI} is missing: run npm run build first`);
      }
    });
    const compare = (pair: { base: { baseUrl: string }; small: { baseUrl: string } }, ...flags: string[]) =>
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

    it('--repeat 3: every round in the table, wall time per mode and the median speedup with its range', () =>
      withPair(numbered(3, [9, 9, 9]), async (pair) => {
        const r = await compare(pair, '-q', '--repeat', '3');
        assert.equal(r.code, 0, r.stderr);
        for (const run of ['SpecReason #1', 'Base only #1', 'SpecReason #3', 'Base only #3']) {
          assert.match(r.stdout, new RegExp(`\\n${run} `), run);
        }
        assert.match(
          r.stdout,
          /\nwall time, median \(range\) of 3 runs: SpecReason [\d.]+ m?s \([\d.]+ m?s–[\d.]+ m?s\), Base only /,
        );
        assert.match(
          r.stdout,
          /\nspeedup vs base only: (tie \([\d.]+×\)|[\d.]+× (faster|— slower)) — median of 3 runs, range [\d.]+–[\d.]+×/,
        );
      }));

    it('--repeat 2 --json: the rounds, the speedup samples and every run; --repeat 0 is a usage error', () =>
      withPair(numbered(2, [9, 9]), async (pair) => {
        const r = await compare(pair, '-q', '--repeat', '2', '--json');
        assert.equal(r.code, 0, r.stderr);
        const out = JSON.parse(r.stdout) as {
          rounds: Comparison[];
          speedup: { samples: number[]; speedup: { samples: number } };
          warmedUp: boolean;
          runs: Array<{ mode: RunMode }>;
        };
        assert.equal(out.rounds.length, 2);
        assert.equal(out.speedup.samples.length, 2);
        assert.equal(out.speedup.speedup.samples, 2);
        assert.equal(out.warmedUp, true);
        assert.deepEqual(
          out.runs.map((run) => run.mode),
          ['specreason', 'base', 'specreason', 'base'],
        );
        const bad = await compare(pair, '--repeat', '0');
        assert.equal(bad.code, 2);
        assert.match(bad.stderr, /--repeat/);
      }));
  });
});
