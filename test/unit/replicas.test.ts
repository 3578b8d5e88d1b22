// Replicas: two simulated servers per role; balancing, run affinity, the session header, and a replica
// killed mid-evaluation failing only its runs.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeConfig } from '../../src/core/config';
import { configurationsOf, runEvaluation, type EvalOptions, type RunFile } from '../../src/core/eval/evaluation';
import { loadProblemSet } from '../../src/core/eval/problemSet';
import { ReplicaPool } from '../../src/core/eval/replicas';
import { demoSetJsonl, demoSetScripts } from '../../src/sim/evalDemo';
import { SimulatedVllm, type LatencyModel } from '../../src/sim/simulatedVllm';
import { chatRequests } from './helpers';

const LATENCY: LatencyModel = { prefillMsPerToken: 0, decodeMsPerToken: 0.2, overlapSlowdown: 0, overheadMs: 1 };

describe('replicas', function () {
  this.timeout(60000);
  const root = mkdtempSync(path.join(tmpdir(), 'specreason-replicas-'));
  const dataset = path.join(root, 'demo-set.jsonl');
  let servers: { base: SimulatedVllm[]; small: SimulatedVllm[] };

  beforeEach(async () => {
    writeFileSync(dataset, demoSetJsonl());
    const scripts = demoSetScripts();
    const make = (role: 'base' | 'small') =>
      new SimulatedVllm({ model: `sim-${role}`, script: scripts[role].script, latency: LATENCY, maxModelLen: 32768 });
    servers = { base: [make('base'), make('base')], small: [make('small'), make('small')] };
    await Promise.all([...servers.base, ...servers.small].map((s) => s.start(0)));
  });
  afterEach(() => Promise.all([...servers.base, ...servers.small].map((s) => s.stop())));

  async function evaluate(outDir: string, pool: ReplicaPool, overrides: Partial<EvalOptions> = {}) {
    const set = await loadProblemSet(dataset, { select: { limit: 6 } });
    return runEvaluation({
      set,
      outDir,
      config: poolConfig(),
      configurations: configurationsOf(['specreason', 'base'], [7], ['greedy']),
      repeats: 2,
      concurrency: 4,
      choiceOrder: 'shuffled',
      seed: 0,
      servers: pool,
      ...overrides,
    });
  }
  const poolConfig = () =>
    makeConfig({
      requestTimeoutSec: 5,
      maxRetries: 0,
      base: { url: servers.base[0]!.baseUrl },
      small: { url: servers.small[0]!.baseUrl },
    });
  const poolOf = () =>
    new ReplicaPool(poolConfig(), {
      base: servers.base.map((s) => s.baseUrl),
      small: servers.small.map((s) => s.baseUrl),
    });
  const readRun = (dir: string, file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RunFile;

  it('balances runs over the replicas and keeps every request of a run on its replica', async () => {
    const dir = path.join(root, 'affinity');
    const outcome = await evaluate(dir, poolOf());
    assert.equal(outcome.failed, 0);
    for (const role of ['base', 'small'] as const) {
      for (const server of servers[role]) {
        const runs = outcome.rows
          .map((r) => readRun(dir, r.file))
          .filter((f) => f.record.config[role].url === server.baseUrl);
        const counted = runs.reduce((a, f) => a + f.record.summary[role].requests, 0);
        assert.equal(
          chatRequests(server.log).length,
          counted,
          `${role} ${server.baseUrl}: requests = its runs' requests`,
        );
        if (role === 'base') {
          assert.ok(runs.length >= 4, `${server.baseUrl} got ${runs.length} of ${outcome.rows.length} runs`);
        }
      }
    }
  });

  it('a router: one session key per run in the configured header, the same on all its requests', async () => {
    const dir = path.join(root, 'session');
    const outcome = await evaluate(dir, poolOf(), {
      config: { ...poolConfig(), router: 'vllm-production-stack', sessionHeader: '' },
    });
    assert.equal(outcome.failed, 0);
    const keys = new Map<string, Set<string>>();
    for (const server of [...servers.base, ...servers.small]) {
      for (const entry of chatRequests(server.log)) {
        const key = entry.headers?.['x-user-id'];
        assert.equal(typeof key, 'string', 'every chat request carries the session header');
        const where = keys.get(key as string) ?? new Set();
        where.add(server.url);
        keys.set(key as string, where);
      }
    }
    assert.equal(keys.size, outcome.rows.length, 'one key per run');
    for (const [key, where] of keys) {
      assert.ok(where.size <= 2, `${key}: at most one base and one small server`);
    }
    const runIds = outcome.rows.map((r) => readRun(dir, r.file).record.runId);
    assert.deepEqual([...keys.keys()].sort(), runIds.sort(), 'the key is the run id');
  });

  it('a replica killed mid-evaluation fails only its runs; a rerun completes the set', async () => {
    const dir = path.join(root, 'killed');
    const victim = servers.base[1]!;
    let finished = 0;
    const outcome = await evaluate(dir, poolOf(), {
      onProgress: () => {
        if (++finished === 6) {
          void victim.stop();
        }
      },
    });
    const failed = outcome.rows.filter((r) => r.stopReason === 'error');
    assert.ok(failed.length >= 1, 'some runs were on the killed replica');
    assert.ok(failed.length < outcome.rows.length / 2, `${failed.length} of ${outcome.rows.length} failed`);
    for (const row of failed) {
      const file = readRun(dir, row.file);
      assert.equal(file.record.config.base.url, victim.baseUrl, 'only runs on the killed replica fail');
      assert.equal(file.record.summary.error?.server?.url.replace(/\/+$/, ''), victim.baseUrl);
    }
    await victim.start();
    const rerun = await evaluate(dir, poolOf());
    assert.equal(rerun.failed, 0);
    assert.equal(rerun.skipped, outcome.rows.length - failed.length);
    assert.equal(rerun.rows.length, 24);
  });
});
