// `npm run bench:eval`: evaluation numbers on the simulated pair (printed, not asserted).
//  1. Throughput (finished runs per second) at concurrency 1, 2, 4, 8, 16 with a batching latency model:
//     each extra running request slows the others by 0.3 × (running − 1)^0.5 (sublinear, as continuous
//     batching does), so throughput rises with concurrency while each run's latency grows.
//  2. Client CPU per reasoning step: this process's CPU time (user + system) over the steps it ran, with
//     the simulated servers in a child process so their CPU is not counted.
//  3. RSS after 2,000 runs at zero latency (records stream to disk; only compact rows stay in memory).
// The servers run in a child process (`node evalBench.js --serve`), which prints their URLs.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { makeConfig } from '../../src/core/config';
import { configurationsOf, runEvaluation } from '../../src/core/eval/evaluation';
import { loadProblemSet } from '../../src/core/eval/problemSet';
import { demoSetJsonl, demoSetScripts } from '../../src/sim/evalDemo';
import { startSimPair } from '../../src/sim/scenarios';
import { ZERO_LATENCY, type LatencyModel } from '../../src/sim/simulatedVllm';

const SCALE = Number(process.env.BENCH_SCALE ?? 0.05);
const batching = (decodeMs: number): LatencyModel => ({
  prefillMsPerToken: 0.1 * decodeMs * SCALE,
  decodeMsPerToken: decodeMs * SCALE,
  overlapSlowdown: 0.3,
  overlapExponent: 0.5,
  overheadMs: 5 * SCALE,
});

async function serve(latency: string): Promise<void> {
  const scripts = demoSetScripts();
  const models =
    latency === 'zero' ? { base: ZERO_LATENCY, small: ZERO_LATENCY } : { base: batching(40), small: batching(8) };
  const pair = await startSimPair(
    { small: [''], base: [''] },
    { latency: models, base: { ...scripts.base, maxModelLen: 32768 }, small: { ...scripts.small, maxModelLen: 32768 } },
  );
  process.stdout.write(`${pair.base.baseUrl} ${pair.small.baseUrl}\n`);
  process.once('SIGTERM', () => void pair.stop().then(() => process.exit(0)));
}

async function servers(latency: 'zero' | 'batching'): Promise<{ base: string; small: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [__filename, '--serve', latency], { stdio: ['ignore', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve) => {
    createInterface({ input: child.stdout }).once('line', resolve);
  });
  const [base, small] = line.split(' ');
  return { base: base!, small: small!, child };
}

async function evaluate(
  urls: { base: string; small: string },
  dataset: string,
  options: { repeats: number; concurrency: number; modes?: Array<'specreason' | 'base' | 'small'> },
) {
  const set = await loadProblemSet(dataset);
  const outDir = mkdtempSync(path.join(tmpdir(), 'specreason-evalbench-'));
  const config = makeConfig({
    maxRetries: 0,
    requestTimeoutSec: 120,
    base: { url: urls.base },
    small: { url: urls.small },
  });
  const started = performance.now();
  const cpu = process.cpuUsage();
  let steps = 0;
  const outcome = await runEvaluation({
    set,
    outDir,
    config,
    configurations: configurationsOf(options.modes ?? ['specreason', 'base'], [7], ['greedy']),
    repeats: options.repeats,
    concurrency: options.concurrency,
    choiceOrder: 'shuffled',
    seed: 0,
    onProgress: (p) => {
      steps += p.row!.steps;
    },
  });
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  rmSync(outDir, { recursive: true, force: true });
  return { outcome, seconds, cpuMs: (used.user + used.system) / 1000, steps };
}

async function main(): Promise<void> {
  if (process.argv[2] === '--serve') {
    return serve(process.argv[3] ?? 'zero');
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-evalbench-set-'));
  const dataset = path.join(dir, 'demo-set.jsonl');
  writeFileSync(dataset, demoSetJsonl());

  console.log(`\n## Evaluation throughput (demo set, SpecReason t7 + base-only, 2 repeats; latency scale ${SCALE})\n`);
  console.log('Batching latency model: each request slows by 0.3 × (running − 1)^0.5 per server.\n');
  console.log('| concurrency | runs | wall (s) | runs/s | throughput vs c=1 | mean latency per run (s) | failed |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  const batchingServers = await servers('batching');
  let base = 0;
  try {
    for (const concurrency of [1, 2, 4, 8, 16]) {
      const { outcome, seconds } = await evaluate(batchingServers, dataset, { repeats: 2, concurrency });
      const rate = outcome.rows.length / seconds;
      base ||= rate;
      const meanWall = outcome.rows.reduce((a, r) => a + r.wallMs, 0) / outcome.rows.length / 1000;
      console.log(
        `| ${concurrency} | ${outcome.rows.length} | ${seconds.toFixed(1)} | ${rate.toFixed(2)} | ${(rate / base).toFixed(2)}× | ${meanWall.toFixed(3)} | ${outcome.failed} |`,
      );
    }
  } finally {
    batchingServers.child.kill('SIGTERM');
  }

  const zero = await servers('zero');
  try {
    const warm = await evaluate(zero, dataset, { repeats: 2, concurrency: 1 });
    void warm;
    const { outcome, cpuMs, steps, seconds } = await evaluate(zero, dataset, {
      repeats: 10,
      concurrency: 1,
      modes: ['specreason'],
    });
    console.log(`\n## Client CPU per SpecReason step (zero latency, servers in another process)\n`);
    console.log('| runs | steps | client CPU (ms) | CPU per step (ms) | wall (s) |');
    console.log('|---:|---:|---:|---:|---:|');
    console.log(
      `| ${outcome.rows.length} | ${steps} | ${cpuMs.toFixed(0)} | ${(cpuMs / steps).toFixed(2)} | ${seconds.toFixed(1)} |`,
    );

    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const rssBefore = process.memoryUsage().rss;
    const big = await evaluate(zero, dataset, { repeats: 84, concurrency: 8, modes: ['specreason', 'small'] });
    gc?.();
    const rss = process.memoryUsage();
    console.log(
      `\n## Memory after ${big.outcome.rows.length} runs (concurrency 8, zero latency${gc ? ', after gc' : ''})\n`,
    );
    console.log('| runs | RSS before (MB) | RSS after (MB) | heap used after (MB) | wall (s) |');
    console.log('|---:|---:|---:|---:|---:|');
    console.log(
      `| ${big.outcome.rows.length} | ${(rssBefore / 2 ** 20).toFixed(0)} | ${(rss.rss / 2 ** 20).toFixed(0)} | ${(rss.heapUsed / 2 ** 20).toFixed(0)} | ${big.seconds.toFixed(1)} |`,
    );
  } finally {
    zero.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
