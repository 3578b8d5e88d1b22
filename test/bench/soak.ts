// `npm run soak`: 1,000 SpecReason runs in one process against the simulated pair, rotating through
// the simulator's faults (and fault-free runs), streamed and not. Prints heap, RSS, open file
// descriptors, active handles and unhandled rejections at intervals, so a leak shows as growth.
// Not part of CI and asserts nothing; the numbers go in reports. SOAK_RUNS sets the number of runs.

import { readdirSync } from 'node:fs';
import { makeConfig } from '../../src/core/config';
import { runSpecReason } from '../../src/core/engine/specReason';
import { startSimPair } from '../../src/sim/scenarios';
import type { Fault, FaultRule } from '../../src/sim/simulatedVllm';

const RUNS = Number(process.env.SOAK_RUNS ?? 1000);
const EVERY = Math.max(1, Math.round(RUNS / 10));

/** Which server and which request each fault is put on (step 1, so step 0 is always kept). */
const ROTATION: Array<{ fault?: Fault; where: 'base' | 'small'; kind?: FaultRule['kind'] }> = [
  { where: 'small' }, // no fault
  { fault: 'http500', where: 'small' },
  { fault: 'http503', where: 'base', kind: 'score' },
  { fault: 'reset', where: 'base', kind: 'score' },
  { fault: 'hang', where: 'small' },
  { fault: 'hang-mid-stream', where: 'small' },
  { fault: 'drop-mid-stream', where: 'small' },
  { fault: 'malformed-json', where: 'small' },
  { fault: 'missing-logprobs', where: 'base', kind: 'score' },
  { fault: 'stream-error-event', where: 'small' },
  { fault: 'context-overflow', where: 'small' },
  { fault: 'stall-after-headers', where: 'base', kind: 'score' },
  { fault: 'stall-after-headers', where: 'small', kind: 'step' },
  { fault: 'usage-zero', where: 'small' },
  { fault: 'usage-negative', where: 'small' },
  { fault: 'usage-null', where: 'small' },
  { fault: 'usage-fraction', where: 'small' },
  { fault: 'usage-string', where: 'small' },
  { fault: 'no-usage-chunk', where: 'small' },
  { fault: 'html500', where: 'small' },
  { fault: 'html502', where: 'base', kind: 'score' },
  { fault: 'not-sse', where: 'small' },
  { fault: 'endless-drip', where: 'small' },
  { fault: 'oversize-step', where: 'small' },
  { fault: 'empty-body', where: 'base', kind: 'score' },
  { fault: 'null-body', where: 'small' },
  { fault: 'null-top-logprobs-entry', where: 'base', kind: 'score' },
];

const unhandled: unknown[] = [];
process.on('unhandledRejection', (reason) => unhandled.push(reason));

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);
const openFds = () => readdirSync('/proc/self/fd').length;
function handles(): string {
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
}

async function main(): Promise<void> {
  const pair = await startSimPair({
    small: ['small step a.', 'small step b.', 'small step c.', 'So the answer is $\\boxed{2}$.'],
    base: ['base step a.', 'base step b.', 'base step c.', 'So the answer is $\\boxed{2}$.'],
    scores: [9, 9, 2, 9],
  });
  const endings = new Map<string, number>();
  const started = performance.now();
  const sample = (done: number) => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    console.log(
      `| ${done} | ${((performance.now() - started) / 1000).toFixed(1)} | ${mb(m.heapUsed)} | ${mb(m.rss)} | ${openFds()} | ${process.getActiveResourcesInfo().length} (${handles()}) | ${unhandled.length} |`,
    );
  };
  console.log(`soak: ${RUNS} runs rotating ${ROTATION.length} cases (fault-free included), streamed and not\n`);
  console.log('| runs | s | heap used (MB) | RSS (MB) | open fds | active handles | unhandled rejections |');
  console.log('|---:|---:|---:|---:|---:|---|---:|');
  sample(0);
  try {
    for (let i = 0; i < RUNS; i++) {
      const c = ROTATION[i % ROTATION.length]!;
      const stream = Math.floor(i / ROTATION.length) % 2 === 0;
      pair.base.setFaults([]);
      pair.small.setFaults([]);
      if (c.fault) {
        pair[c.where].setFaults([{ fault: c.fault, kind: c.kind, step: 1 }]);
      }
      const record = await runSpecReason(
        { text: 'What is 1 + 1?' },
        makeConfig({
          requestTimeoutSec: 0.25,
          maxRetries: 1,
          stepMaxTokens: 64,
          stream,
          base: { url: pair.base.baseUrl },
          small: { url: pair.small.baseUrl },
        }),
      );
      const ending = record.summary.error?.code ?? record.summary.stopReason;
      endings.set(ending, (endings.get(ending) ?? 0) + 1);
      // The server's log would grow with every request: keep only what is still open.
      for (const server of [pair.base, pair.small]) {
        server.log.splice(0, server.log.length, ...server.openRequests());
      }
      if ((i + 1) % EVERY === 0) {
        sample(i + 1);
      }
    }
  } finally {
    await pair.stop();
  }
  console.log(`\nendings: ${[...endings].map(([k, n]) => `${k} ${n}`).join(', ')}`);
  await new Promise((resolve) => setTimeout(resolve, 200));
  console.log('after stopping the servers:');
  sample(RUNS);
}

void main();
