// The demo's simulated pair (dist/simulated-vllm.js serve, as scripts/demo.sh and Start Servers run it) serves the
// demo set's scripts as well as the sample problem's: evaluating examples/demo-set.jsonl against it shows accuracy
// rising with the threshold (and acceptance falling, which is where SpecReason's speed comes from), base-only on top.

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_SET } from '../../src/sim/evalDemo';
import { DEMO_PROBLEM, demoPairHasScript } from '../../src/sim/scenarios';
import { cli } from './cliProcess';

const SERVE = path.resolve(__dirname, '../../../dist/simulated-vllm.js');
const DEMO_SET_FILE = path.resolve(__dirname, '../../../examples/demo-set.jsonl');

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
  const { port } = probe.address() as AddressInfo;
  await new Promise((r) => probe.close(r));
  return port;
}

/** One server of the demo pair, as demo.sh starts it (zero latency here). */
async function serve(model: string): Promise<{ url: string; child: ChildProcess; log: () => string }> {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [SERVE, 'serve', model, '--port', String(port), '--latency', 'zero', '--load-seconds', '0'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const deadline = Date.now() + 15000;
  while (!log.includes('Uvicorn running')) {
    assert.ok(Date.now() < deadline && child.exitCode === null, `the server started: ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/v1`, child, log: () => log };
}

describe("the demo's simulated pair and the demo set", function () {
  this.timeout(120000);
  let base: Awaited<ReturnType<typeof serve>>;
  let small: Awaited<ReturnType<typeof serve>>;

  before(async () => {
    [base, small] = await Promise.all([serve('Qwen/QwQ-32B'), serve('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B')]);
  });
  after(async () => {
    for (const s of [base, small]) {
      s?.child.kill('SIGTERM');
      await new Promise((r) => (s?.child.exitCode !== null ? r(undefined) : s.child.once('close', r)));
    }
  });

  it('has a script for the sample problem and every problem of the demo set, no other', () => {
    assert.equal(demoPairHasScript(DEMO_PROBLEM), true);
    for (const p of DEMO_SET) {
      assert.equal(demoPairHasScript(`Problem ${p.id}:\n${p.problem}`), true, p.id);
    }
    assert.equal(demoPairHasScript('What is 17 * 23?'), false);
  });

  it('evaluating the demo set: accuracy rises with the threshold, acceptance falls, base-only most accurate', async () => {
    const r = await cli([
      'eval',
      '--dataset',
      DEMO_SET_FILE,
      '--thresholds',
      '3,5,7,9',
      '--modes',
      'specreason,base',
      '--concurrency',
      '4',
      '--quiet',
      '--json',
      '--out',
      mkdtempSync(path.join(tmpdir(), 'specreason-demo-pair-')),
      '--base-url',
      base.url,
      '--small-url',
      small.url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as {
      configurations: Array<{
        name: string;
        accuracy: number;
        acceptanceRate: number | null;
        speedupVsBase: number | null;
      }>;
    };
    const by = new Map(results.configurations.map((c) => [c.name, c]));
    const sweep = [3, 5, 7, 9].map((t) => by.get(`specreason-t${t}-greedy`)!);
    console.log(
      `      demo set on the demo pair: ${sweep.map((c) => `${c.name} ${(100 * c.accuracy).toFixed(0)}% (acceptance ${(100 * c.acceptanceRate!).toFixed(0)}%)`).join(', ')}, base ${(100 * by.get('base')!.accuracy).toFixed(0)}%`,
    );
    for (let i = 1; i < sweep.length; i++) {
      assert.ok(
        sweep[i]!.accuracy >= sweep[i - 1]!.accuracy,
        `${sweep[i]!.name} at least as accurate as ${sweep[i - 1]!.name}`,
      );
      assert.ok(sweep[i]!.acceptanceRate! <= sweep[i - 1]!.acceptanceRate!, `${sweep[i]!.name} accepts no more`);
    }
    assert.ok(sweep[3]!.accuracy > sweep[0]!.accuracy, 'threshold 9 beats threshold 3');
    assert.ok(by.get('base')!.accuracy >= sweep[3]!.accuracy);
    assert.ok(by.get('base')!.accuracy < 1, 'a hard problem even the base model gets wrong');
    assert.doesNotMatch(base.log(), /no script for this problem/);
  });

  it('the sample problem still follows its own script (the rejected step 3, answer 50)', async () => {
    const r = await cli([
      'solve',
      '--problem',
      DEMO_PROBLEM,
      '--json',
      '--quiet',
      '--base-url',
      base.url,
      '--small-url',
      small.url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout) as { summary: { answer: string }; steps: Array<{ origin: string }> };
    assert.equal(record.summary.answer, '50');
    assert.equal(record.steps[3]!.origin, 'base-fallback');
  });
});
