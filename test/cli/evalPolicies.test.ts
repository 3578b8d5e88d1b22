// Step policies as modes of `specreason eval` and `specreason compare`, end to end: the bundled CLI as a
// subprocess against the simulated pair serving the demo set's scripts. Each policy is its own configuration
// (its parameter swept), and results.json carries each one's policy and costs.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { demoSetJsonl, demoSetScripts } from '../../src/sim/evalDemo';
import { DEMO_PROBLEM, DEMO_SCENARIO, startSimPair, type SimPair } from '../../src/sim/scenarios';
import { ZERO_LATENCY } from '../../src/sim/simulatedVllm';
import { cli } from './cliProcess';

interface Costs {
  requests: { small: number; base: number };
  judgeCalls: number;
  tokens: { small: number; base: number };
  wastedTokens: number;
  criticalPathMs: number;
  lowerBoundMs: number;
}
interface ConfigurationResult {
  name: string;
  label: string;
  mode: string;
  policy?: string;
  params?: Record<string, number>;
  runs: number;
  failed: number;
  accuracy: number | null;
  meanWallMs: number | null;
  speedupVsBase: number | null;
  costs: { runs: number; mean: Costs; total: Costs } | null;
}

describe('step policies as modes of specreason eval and compare (subprocess)', function () {
  this.timeout(120000);
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-evalpol-'));
  const dataset = path.join(dir, 'demo-set.jsonl');
  let pair: SimPair;

  before(async () => {
    writeFileSync(dataset, demoSetJsonl());
    const scripts = demoSetScripts();
    pair = await startSimPair(DEMO_SCENARIO, {
      latency: { base: ZERO_LATENCY, small: ZERO_LATENCY },
      base: scripts.base,
      small: scripts.small,
    });
  });
  after(() => pair.stop());

  const servers = () => ['--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl];

  it("eval --modes specreason,first-token,self-check,lookahead,base on the demo set: each policy's configuration and costs", async () => {
    const out = path.join(dir, 'policies');
    const ids = 'd01,d04,d07,d11';
    const r = await cli([
      'eval',
      '--dataset',
      dataset,
      ...servers(),
      '--modes',
      'specreason,first-token,self-check,lookahead,base',
      '--entropy-thresholds',
      '0.5,1.5',
      '--self-check-thresholds',
      '8',
      '--lookahead-steps',
      '3',
      '--ids',
      ids,
      '--quiet',
      '--json',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
      configurations: ConfigurationResult[];
      runs: Array<{ configuration: string; policy?: string; params?: Record<string, number>; costs?: Costs }>;
    };
    assert.deepEqual(JSON.parse(r.stdout), results, '--json prints results.json');
    assert.deepEqual(
      results.configurations.map((c) => [c.name, c.label, c.mode, c.policy ?? null, c.params ?? null]),
      [
        ['specreason-t7-greedy', 'SpecReason t=7 greedy', 'specreason', 'specreason', null],
        ['first-token-h0.5', 'first-token H≥0.5', 'specreason', 'first-token', { entropyThreshold: 0.5 }],
        ['first-token-h1.5', 'first-token H≥1.5', 'specreason', 'first-token', { entropyThreshold: 1.5 }],
        ['self-check-s8-t7-greedy', 'self-check self≥8 t=7', 'specreason', 'self-check', { selfCheckThreshold: 8 }],
        ['lookahead-k3-t7-greedy', 'lookahead k=3 t=7', 'specreason', 'lookahead', { lookaheadSteps: 3 }],
        ['base', 'Base only', 'base', null, null],
      ],
    );
    for (const c of results.configurations) {
      assert.equal(c.runs, 4, `${c.name}: every problem ran`);
      assert.equal(c.failed, 0, c.name);
      assert.ok(c.accuracy !== null && c.meanWallMs !== null && c.speedupVsBase !== null, c.name);
      if (c.mode === 'base') {
        continue;
      }
      assert.ok(c.costs, `${c.name} has its costs`);
      assert.equal(c.costs.runs, 4, `${c.name}: costs of every run`);
      for (const [key, value] of Object.entries({
        smallRequests: c.costs.mean.requests.small,
        baseRequests: c.costs.mean.requests.base,
        smallTokens: c.costs.mean.tokens.small,
        judgeCalls: c.costs.mean.judgeCalls,
        wastedTokens: c.costs.mean.wastedTokens,
        criticalPathMs: c.costs.mean.criticalPathMs,
        lowerBoundMs: c.costs.mean.lowerBoundMs,
      })) {
        assert.ok(Number.isFinite(value) && value >= 0, `${c.name} ${key} = ${value}`);
      }
      assert.equal(c.costs.total.requests.small, c.costs.mean.requests.small * 4, `${c.name}: total = mean × runs`);
    }
    const byName = new Map(results.configurations.map((c) => [c.name, c]));
    // first-token never asks a judge; SpecReason and self-check score their drafts.
    assert.equal(byName.get('first-token-h0.5')!.costs!.total.judgeCalls, 0);
    assert.equal(byName.get('first-token-h1.5')!.costs!.total.judgeCalls, 0);
    assert.ok(byName.get('specreason-t7-greedy')!.costs!.total.judgeCalls > 0);
    assert.ok(byName.get('self-check-s8-t7-greedy')!.costs!.total.judgeCalls > 0);
    // lookahead makes SpecReason's decisions (one judge call per draft) with fewer base requests: one prompt list
    // scores up to three drafts.
    const lookahead = byName.get('lookahead-k3-t7-greedy')!;
    const specreason = byName.get('specreason-t7-greedy')!;
    assert.equal(lookahead.accuracy, specreason.accuracy);
    assert.ok(lookahead.costs!.total.judgeCalls >= specreason.costs!.total.judgeCalls);
    assert.ok(lookahead.costs!.total.requests.base < specreason.costs!.total.requests.base);
    const lookaheadRecord = JSON.parse(
      readFileSync(path.join(out, 'lookahead-k3-t7-greedy', 'd01', '0.json'), 'utf8'),
    ) as { record: { steps: Array<{ decision?: { policy: string }; scoredTogether?: { drafts: string[] } }> } };
    assert.ok(
      lookaheadRecord.record.steps.some(
        (s) => s.decision?.policy === 'lookahead' && s.scoredTogether!.drafts.length > 1,
      ),
    );
    // Every run row names its policy and parameter and carries its own costs; its record has the decisions.
    const firstTokenRuns = results.runs.filter((run) => run.policy === 'first-token');
    assert.equal(firstTokenRuns.length, 8);
    assert.ok(firstTokenRuns.every((run) => run.costs && run.params?.entropyThreshold !== undefined));
    const record = JSON.parse(readFileSync(path.join(out, 'first-token-h0.5', 'd01', '0.json'), 'utf8')) as {
      record: { config: { stepPolicy?: string }; steps: Array<{ decision?: { policy: string; explanation: string } }> };
    };
    assert.equal(record.record.config.stepPolicy, 'first-token');
    assert.ok(record.record.steps.some((s) => s.decision?.policy === 'first-token' && s.decision.explanation));
    const specRecord = JSON.parse(
      readFileSync(path.join(out, 'specreason-t7-greedy', 'd01', '0.json'), 'utf8'),
    ) as typeof record;
    assert.equal(specRecord.record.config.stepPolicy, undefined, 'SpecReason runs exactly the reference config');
    // The Markdown and CSV say the same in words.
    const markdown = readFileSync(path.join(out, 'results.md'), 'utf8');
    assert.match(markdown, /\| first-token H≥0\.5 \(first-token-h0\.5\) \|/);
    assert.match(markdown, /judge calls \| wasted tok \| critical path \| lower bound \|/);
    const csv = readFileSync(path.join(out, 'results.csv'), 'utf8').split('\n');
    assert.match(csv[0]!, /,policy,.*,parameter,meanSmallRequests,meanBaseRequests,meanJudgeCalls,/);
    assert.match(
      csv.find((l) => l.startsWith('first-token-h1.5,'))!,
      /,entropyThreshold=1\.5,/,
    );
  });

  it('a sweep value out of its range, or an unknown mode: exit 2 naming the flag and the range', async () => {
    const bad = await cli([
      'eval',
      '--dataset',
      dataset,
      '--out',
      path.join(dir, 'bad'),
      '--entropy-thresholds',
      '0.5,9',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--entropy-thresholds: "9" is not a number from 0 to 3/);
    const unknown = await cli(['eval', '--dataset', dataset, '--out', path.join(dir, 'bad'), '--modes', 'glimp']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /"glimp" is not one of specreason, first-token, self-check/);
    assert.equal(existsSync(path.join(dir, 'bad')), false, 'nothing written');
  });

  it('compare --modes specreason,first-token,base: a row per run and a speedup per policy against base only', async () => {
    const r = await cli(['compare', '--problem', DEMO_PROBLEM, ...servers(), '--modes', 'specreason,first-token,base']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines[1]!, /^SpecReason +/);
    assert.match(lines[2]!, /^first-token +/);
    assert.match(lines[3]!, /^Base only +/);
    assert.match(
      r.stdout,
      /speedup vs base only: SpecReason [\d.]+×[^,]*, first-token [\d.]+×.*\(base-only wall time ÷ each run's wall time\)/,
    );
    const json = await cli([
      'compare',
      '--problem',
      DEMO_PROBLEM,
      ...servers(),
      '--modes',
      'first-token,self-check,base',
      '--json',
      '-q',
    ]);
    assert.equal(json.code, 0, json.stderr);
    const out = JSON.parse(json.stdout) as {
      comparison: { speedups?: Record<string, number>; rows: Array<{ key?: string; mode: string }> };
      runs: Array<{ config: { stepPolicy?: string }; summary: { policy?: string } }>;
    };
    assert.deepEqual(
      out.runs.map((run) => run.config.stepPolicy ?? null),
      ['first-token', 'self-check', null],
    );
    assert.deepEqual(
      out.comparison.rows.map((row) => row.key ?? row.mode),
      ['first-token', 'self-check', 'base'],
    );
    assert.deepEqual(Object.keys(out.comparison.speedups ?? {}).sort(), ['first-token', 'self-check']);
    // Without a base-only run there is no speedup to show, and the table says so.
    const noBase = await cli(['compare', '--problem', DEMO_PROBLEM, ...servers(), '--modes', 'specreason,first-token']);
    assert.equal(noBase.code, 0, noBase.stderr);
    assert.match(noBase.stdout, /speedup vs base only: — \(no base-only run in this comparison\)/);
    const one = await cli(['compare', '--problem', DEMO_PROBLEM, ...servers(), '--modes', 'base']);
    assert.equal(one.code, 2);
    assert.match(one.stderr, /two or more different modes/);
  });
});
