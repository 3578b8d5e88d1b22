// Evaluation runs against the simulated pair with the demo set's scripts: files per run, resume,
// cancellation, failed runs, the option shuffle in the prompt, results traceable to run files.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  configurationsOf,
  runEvaluation,
  type EvalOptions,
  type EvalProgress,
  type RunFile,
} from '../../src/core/eval/evaluation';
import { loadProblemSet } from '../../src/core/eval/problemSet';
import { regradeDirectory } from '../../src/core/eval/regrade';
import { buildResults } from '../../src/core/eval/results';
import { DEMO_SET, demoSetJsonl, demoSetScripts } from '../../src/sim/evalDemo';
import { startSimPair, type SimPair } from '../../src/sim/scenarios';
import { configFor, numbered } from './helpers';

const REPO = path.resolve(__dirname, '../../..');

describe('evaluation runs', function () {
  this.timeout(60000);
  let pair: SimPair;
  const root = mkdtempSync(path.join(tmpdir(), 'specreason-eval-'));
  const dataset = path.join(root, 'demo-set.jsonl');

  before(async () => {
    writeFileSync(dataset, demoSetJsonl());
    const scripts = demoSetScripts();
    pair = await startSimPair(numbered(1), { base: scripts.base, small: scripts.small });
  });
  after(() => pair.stop());

  async function evaluate(outDir: string, overrides: Partial<EvalOptions> = {}, ids?: string[]) {
    const set = await loadProblemSet(dataset, { select: { ids } });
    const configurations = configurationsOf(['specreason', 'base', 'small'], [3, 9], ['greedy']);
    const options: EvalOptions = {
      set,
      outDir,
      config: configFor(pair),
      configurations,
      repeats: 2,
      concurrency: 3,
      choiceOrder: 'shuffled',
      seed: 0,
      ...overrides,
    };
    return { outcome: await runEvaluation(options), configurations, set };
  }

  const readRun = (dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RunFile;

  it('the committed examples/demo-set.jsonl is the demo set the simulator scripts', () => {
    assert.equal(readFileSync(path.join(REPO, 'examples/demo-set.jsonl'), 'utf8'), demoSetJsonl());
    assert.equal(DEMO_SET.length, 12);
  });

  it('writes DIR/<configuration>/<problem id>/<repeat>.json per run; results trace to the files', async () => {
    const dir = path.join(root, 'full');
    const { outcome, configurations } = await evaluate(dir, {}, ['d01', 'd04', 'd08', 'd12']);
    assert.equal(outcome.jobs, 4 * 2 * 4);
    assert.equal(outcome.rows.length, 32);
    assert.deepEqual(readdirSync(dir).sort(), ['base', 'small', 'specreason-t3-greedy', 'specreason-t9-greedy']);
    const file = readRun(dir, 'specreason-t9-greedy/d01/1.json');
    assert.equal(file.problemId, 'd01');
    assert.equal(file.repeat, 1);
    assert.equal(file.record.config.threshold, 9);
    assert.equal(file.grade.correct, true);
    assert.equal(file.grade.extracted, '50');
    // The small model's slip at d01 (score 2) survives only below threshold 2: everywhere rejected here.
    assert.equal(readRun(dir, 'small/d01/0.json').grade.correct, false);
    assert.equal(readRun(dir, 'specreason-t3-greedy/d04/0.json').grade.correct, false); // slip scored 5 ≥ 3
    assert.equal(readRun(dir, 'specreason-t9-greedy/d04/0.json').grade.correct, true);
    assert.equal(readRun(dir, 'base/d12/0.json').grade.correct, false); // the hard one
    const results = buildResults(outcome.rows, configurations, {
      dataset,
      tokenBudget: 8192,
      repeats: 2,
      concurrency: 3,
      choiceOrder: 'shuffled',
    });
    for (const c of results.configurations) {
      const files = readdirSync(path.join(dir, c.name)).flatMap((id) =>
        readdirSync(path.join(dir, c.name, id)).map((r) => readRun(dir, path.join(c.name, id, r))),
      );
      assert.equal(c.runs, files.length);
      assert.equal(c.correct, files.filter((f) => f.grade.correct).length);
      const walls = files.map((f) => f.record.summary.wallMs);
      assert.ok(Math.abs(c.meanWallMs! - walls.reduce((a, b) => a + b, 0) / walls.length) < 1e-9);
    }
    const byName = Object.fromEntries(results.configurations.map((c) => [c.name, c]));
    assert.equal(byName['base']!.accuracy, 0.75);
    assert.equal(byName['small']!.accuracy, 0.25);
    assert.equal(byName['specreason-t3-greedy']!.accuracy, 0.5);
    assert.equal(byName['specreason-t9-greedy']!.accuracy, 0.75);
    assert.equal(byName['base']!.speedupVsBase, 1);
    assert.ok(byName['specreason-t9-greedy']!.acceptanceRate! < byName['specreason-t3-greedy']!.acceptanceRate!);
  });

  it('a rerun skips finished runs and redoes missing, failed and torn ones', async () => {
    const dir = path.join(root, 'resume');
    await evaluate(dir, {}, ['d01', 'd02']);
    rmSync(path.join(dir, 'base/d01/1.json'));
    const failed = readRun(dir, 'small/d02/0.json');
    failed.record.summary.stopReason = 'error';
    writeFileSync(path.join(dir, 'small/d02/0.json'), JSON.stringify(failed));
    writeFileSync(path.join(dir, 'specreason-t3-greedy/d01/0.json'), '{"torn');
    const before = pair.base.log.length + pair.small.log.length;
    const progress: EvalProgress[] = [];
    const { outcome } = await evaluate(dir, { onProgress: (p) => progress.push(p) }, ['d01', 'd02']);
    assert.equal(outcome.skipped, 16 - 3);
    assert.deepEqual(progress.map((p) => `${p.row!.configuration}/${p.row!.problemId}/${p.row!.repeat}`).sort(), [
      'base/d01/1',
      'small/d02/0',
      'specreason-t3-greedy/d01/0',
    ]);
    assert.ok(pair.base.log.length + pair.small.log.length > before);
    assert.equal(readRun(dir, 'small/d02/0.json').record.summary.stopReason, 'finished');
    assert.equal(outcome.rows.length, 16);
  });

  it('a rerun with other run-defining settings is refused, naming the file and the setting', async () => {
    const dir = path.join(root, 'resume');
    await assert.rejects(
      evaluate(dir, { config: { ...configFor(pair), tokenBudget: 4096 } }, ['d01', 'd02']),
      /resume\/.*\.json was run with tokenBudget 8192, this evaluation uses 4096: give another --out/,
    );
  });

  it('cancellation keeps every finished run and a rerun completes only the missing ones', async () => {
    const dir = path.join(root, 'cancel');
    const controller = new AbortController();
    pair.base.setLatency({ prefillMsPerToken: 0, decodeMsPerToken: 0.5, overlapSlowdown: 0, overheadMs: 2 });
    let finished = 0;
    try {
      const { outcome } = await evaluate(
        dir,
        {
          signal: controller.signal,
          onProgress: () => {
            if (++finished === 5) {
              controller.abort();
            }
          },
        },
        ['d01', 'd02', 'd03'],
      );
      assert.equal(outcome.cancelled, true);
      assert.ok(outcome.rows.length >= 5 && outcome.rows.length < 24, `${outcome.rows.length} rows`);
      const kept = outcome.rows.length;
      for (const row of outcome.rows) {
        assert.ok(existsSync(path.join(dir, row.file)), row.file);
      }
      const second: EvalProgress[] = [];
      const rerun = await evaluate(dir, { onProgress: (p) => second.push(p) }, ['d01', 'd02', 'd03']);
      assert.equal(rerun.outcome.skipped, kept);
      assert.equal(second.length, 24 - kept);
      assert.equal(rerun.outcome.rows.length, 24);
    } finally {
      pair.base.setLatency({ prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 0 });
    }
  });

  it('a failing server fails its runs with the error recorded; the rest finish; a rerun retries them', async () => {
    const dir = path.join(root, 'failing');
    pair.small.setFaults([{ fault: 'http500', kind: 'full' }]);
    try {
      const { outcome } = await evaluate(dir, {}, ['d01']);
      const failed = outcome.rows.filter((r) => r.stopReason === 'error');
      assert.deepEqual([...new Set(failed.map((r) => r.configuration))], ['small']);
      assert.equal(outcome.failed, 2);
      assert.match(failed[0]!.error!, /500|server/i);
      assert.equal(outcome.rows.length, 8);
    } finally {
      pair.small.setFaults([]);
    }
    const { outcome } = await evaluate(dir, {}, ['d01']);
    assert.equal(outcome.skipped, 6);
    assert.equal(outcome.failed, 0);
  });

  it('multiple choice: options shuffled per repeat with the permutation recorded; reference order puts the answer at (A)', async () => {
    const shuffled = path.join(root, 'mc-shuffled');
    const { outcome } = await evaluate(shuffled, { repeats: 6, configurations: configurationsOf(['base'], [], []) }, [
      'd11',
    ]);
    const perms = new Set(outcome.rows.map((r) => r.permutation!.join('')));
    assert.ok(perms.size > 1, 'the permutation varies across repeats');
    for (const row of outcome.rows) {
      const file = readRun(shuffled, row.file);
      const letter = 'ABCD'[row.permutation!.indexOf(0)]!;
      assert.equal(file.gold, letter);
      assert.equal(file.record.problem.choices![letter as 'A'], 'Nitrogen');
      assert.equal(row.correct, true, `${row.file}: ${row.answer} vs ${row.gold}`);
    }
    const again = path.join(root, 'mc-again');
    const second = await evaluate(again, { repeats: 6, configurations: configurationsOf(['base'], [], []) }, ['d11']);
    assert.deepEqual(
      second.outcome.rows.map((r) => r.permutation).sort(),
      outcome.rows.map((r) => r.permutation).sort(),
      'the same seed gives the same permutations',
    );
    const reference = path.join(root, 'mc-reference');
    const ref = await evaluate(reference, { choiceOrder: 'reference', repeats: 2 }, ['d11']);
    for (const row of ref.outcome.rows) {
      assert.deepEqual(row.permutation, [0, 1, 2, 3]);
      assert.equal(row.gold, 'A');
      assert.equal(readRun(reference, row.file).choiceOrder, 'reference');
    }
  });

  it('grade DIR: re-grades the run files and rebuilds the results', async () => {
    const dir = path.join(root, 'full');
    const file = readRun(dir, 'base/d01/0.json');
    file.grade = { correct: false, extracted: 'tampered', extraction: 'boxed', rule: 'mismatch' };
    writeFileSync(path.join(dir, 'base/d01/0.json'), JSON.stringify(file));
    const { results, changed } = await regradeDirectory(dir);
    assert.equal(changed, 1);
    assert.equal(readRun(dir, 'base/d01/0.json').grade.correct, true);
    assert.equal(results.runs.length, 32);
    assert.equal(results.configurations.find((c) => c.name === 'base')!.accuracy, 0.75);
  });
});
