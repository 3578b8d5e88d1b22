// `specreason eval --dataset NAME|hf:…` and `--preset reference-…` as subprocesses of dist/cli.js, against the
// Hub stand-in and the simulated pair: the commit in results.json, the reference's range and settings, gated and
// offline errors.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSimPair, DEMO_SCENARIO, type SimPair } from '../../src/sim/scenarios';
import { CLI } from './cliProcess';
import { COMMITS, GPQA_TOKEN, standInRepos } from '../unit/hubRepos';
import { HubStandIn } from '../unit/hubStandIn';

interface Results {
  dataset: string;
  hub?: {
    repo: string;
    revision: string;
    commit: string;
    split?: string;
    config?: string;
    files: string[];
    endpoint: string;
  };
  preset?: string;
  tokenBudget: number;
  repeats: number;
  choiceOrder: string;
  configurations: Array<{
    name: string;
    mode: string;
    threshold: number | null;
    scoreMethod: string | null;
    runs: number;
  }>;
  problems: Array<{ problemId: string; gold: string }>;
  runs: Array<{ problemId: string; configuration: string }>;
}

describe('specreason eval from the Hub (subprocess)', function () {
  this.timeout(120000);
  let hub: HubStandIn;
  let pair: SimPair;
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-hubcli-'));

  before(async () => {
    hub = await new HubStandIn(await standInRepos()).start();
    pair = await startSimPair(DEMO_SCENARIO);
  });
  after(async () => {
    await Promise.all([hub.stop(), pair.stop()]);
  });

  function run(
    args: string[],
    env: Record<string, string> = {},
  ): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(
        process.execPath,
        [CLI, ...args, '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl],
        {
          stdio: ['ignore', 'pipe', 'pipe'],
          env: {
            ...process.env,
            SPECREASON_API_KEY: '',
            HF_ENDPOINT: hub.endpoint,
            HF_HOME: path.join(dir, 'hf-home'),
            HF_TOKEN: '',
            HF_HUB_OFFLINE: '',
            ...env,
          },
        },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  const results = (out: string) => JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as Results;

  it('--dataset hf:OWNER/NAME@REV/SPLIT: downloads with progress, records the commit in results.json', async () => {
    const out = path.join(dir, 'tagged');
    const r = await run([
      'eval',
      '--dataset',
      'hf:HuggingFaceH4/MATH-500@v0/test',
      '--limit',
      '2',
      '--modes',
      'base',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /downloading test\.jsonl: 100% \d+ kB of \d+ kB/);
    assert.match(
      r.stderr,
      new RegExp(`data set HuggingFaceH4/MATH-500, split test at commit ${COMMITS.mathOld}: test\\.jsonl`),
    );
    const res = results(out);
    assert.equal(res.dataset, `hf:HuggingFaceH4/MATH-500@${COMMITS.mathOld}/test`);
    assert.deepEqual(res.hub, {
      endpoint: hub.endpoint,
      repo: 'HuggingFaceH4/MATH-500',
      revision: 'v0',
      commit: COMMITS.mathOld,
      split: 'test',
      files: ['test.jsonl'],
    });
    assert.match(
      readFileSync(path.join(out, 'results.md'), 'utf8'),
      /# Evaluation of hf:HuggingFaceH4\/MATH-500@[0-9a-f]{40}\/test/,
    );
  });

  it('--preset reference-math: MATH-500 test rows 0–99, threshold 7, greedy, budget 8192, SpecReason and base-only', async () => {
    const out = path.join(dir, 'reference-math');
    const r = await run(['eval', '--preset', 'reference-math', '--concurrency', '4', '--quiet', '--out', out]);
    assert.equal(r.code, 0, r.stderr);
    const res = results(out);
    assert.equal(res.preset, 'reference-math');
    assert.equal(res.hub?.repo, 'HuggingFaceH4/MATH-500');
    assert.equal(res.hub?.commit, COMMITS.math);
    assert.equal(res.tokenBudget, 8192);
    assert.equal(res.repeats, 1);
    assert.deepEqual(
      res.configurations.map((c) => [c.name, c.mode, c.threshold, c.scoreMethod, c.runs]),
      [
        ['specreason-t7-greedy', 'specreason', 7, 'greedy', 100],
        ['base', 'base', null, null, 100],
      ],
    );
    // The stand-in's test.jsonl has 105 rows: exactly the first 100, in the file's order.
    const ids = res.problems
      .map((p) => p.problemId)
      .sort((a, b) => Number(/(\d+)\.json/.exec(a)![1]) - Number(/(\d+)\.json/.exec(b)![1]));
    assert.equal(ids.length, 100);
    assert.equal(ids[0], 'test/algebra/100.json');
    assert.equal(ids[99], 'test/prealgebra/199.json');
  });

  it('a flag given on the command line beats the preset’s', async () => {
    const out = path.join(dir, 'reference-aime-t9');
    const r = await run([
      'eval',
      '--preset',
      'reference-aime',
      '--thresholds',
      '9',
      '--modes',
      'specreason',
      '--token-budget',
      '2048',
      '--quiet',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const res = results(out);
    assert.equal(res.tokenBudget, 2048);
    assert.deepEqual(
      res.configurations.map((c) => c.name),
      ['specreason-t9-greedy'],
    );
    assert.deepEqual(
      res.problems.map((p) => p.problemId),
      ['60', '61', '62'],
    );
  });

  it('--preset reference-gpqa: gated without HF_TOKEN (exit 2, how to get access); with it, the correct option as (A)', async () => {
    const denied = await run(['eval', '--preset', 'reference-gpqa', '--out', path.join(dir, 'gpqa-denied')]);
    assert.equal(denied.code, 2);
    assert.match(
      denied.stderr,
      /^specreason: Idavidrein\/gpqa is a gated data set: the download of gpqa_diamond\.csv answered 401 .*HF_TOKEN=hf_…/m,
    );
    const out = path.join(dir, 'gpqa');
    const r = await run(['eval', '--preset', 'reference-gpqa', '--modes', 'base', '--out', out], {
      HF_TOKEN: GPQA_TOKEN,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /option order: reference \(the correct answer is always \(A\)/);
    const res = results(out);
    assert.equal(res.choiceOrder, 'reference');
    assert.equal(res.dataset, `hf:Idavidrein/gpqa@${COMMITS.gpqa}:gpqa_diamond/train`);
    assert.equal(res.problems.length, 4);
  });

  it('offline: from the cache with HF_HUB_OFFLINE=1; without a cache, exit 2 naming the file to download', async () => {
    const out = path.join(dir, 'offline');
    const r = await run(['eval', '--dataset', 'math', '--limit', '1', '--modes', 'base', '--out', out], {
      HF_HUB_OFFLINE: '1',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /at commit [0-9a-f]{40} \(offline: from the cache\)/);
    const none = await run(['eval', '--dataset', 'aime25', '--out', path.join(dir, 'offline-none')], {
      HF_HUB_OFFLINE: '1',
    });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /HF_HUB_OFFLINE is set, and math-ai\/aime25 is not in the cache .* Download .*\/datasets\/math-ai\/aime25\/resolve\/main\/test\.jsonl by hand/,
    );
  });
});
