// `npm run bench`: measured numbers on the simulated vLLM pair (not a timed test; it asserts nothing).
//  1. Client overhead: per step, the engine's wall time minus the time the servers were busy on the
//     critical path, at zero latency and with a realistic latency model; requests and model-list GETs per step.
//  2. Latency study: SpecReason in each mode (sequential reference, draft-ahead, eager fallback, both)
//     against base-only decoding for acceptance rates 0.3–0.9, with the critical-path lower bound.
// Writes docs/bench/speedup-vs-acceptance.svg and prints Markdown tables.

import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { makeConfig, type SpecReasonConfig } from '../../src/core/config';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { createClients } from '../../src/core/llm/factory';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { DEMO_PROBLEM, DEMO_SCENARIO, startSimPair, type SimPair } from '../../src/sim/scenarios';
import { acceptanceScenario } from './acceptance';
import { ZERO_LATENCY, type RequestLogEntry } from '../../src/sim/simulatedVllm';

const SCALE = Number(process.env.BENCH_SCALE ?? 0.05);
/** A realistic latency model (a 32B base and a 1.5B small model on one GPU each): base decode 40 ms/token, small 8 ms/token, base prefill 0.5 ms per uncached token; scaled by SCALE. */
const REALISTIC = {
  base: { prefillMsPerToken: 0.5 * SCALE, decodeMsPerToken: 40 * SCALE, overlapSlowdown: 0.15, overheadMs: 20 * SCALE },
  small: { prefillMsPerToken: 0.1 * SCALE, decodeMsPerToken: 8 * SCALE, overlapSlowdown: 0.15, overheadMs: 20 * SCALE },
};
const PROBLEM = { text: DEMO_PROBLEM };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
const ms = (x: number) => x.toFixed(1);

function configFor(pair: SimPair, extra: Partial<SpecReasonConfig> = {}): SpecReasonConfig {
  return makeConfig({
    ...extra,
    maxRetries: 0,
    requestTimeoutSec: 60,
    base: { url: pair.base.baseUrl },
    small: { url: pair.small.baseUrl },
  });
}

/** Server-side busy time of the requests that each step waited for (sequential mode). */
function overheadPerStep(record: RunRecord, log: RequestLogEntry[]): number[] {
  const chats = log.filter((e) => e.path === '/v1/chat/completions' && e.endedAt !== undefined);
  return record.steps.map((step) => {
    const inStep = chats.filter(
      (e) => e.startedAt >= step.timings.startedAt - 0.5 && e.endedAt! <= step.timings.endedAt + 0.5,
    );
    const busy = inStep.reduce((sum, e) => sum + (e.endedAt! - e.startedAt), 0);
    return step.timings.stepMs - busy;
  });
}

async function overheadStudy(): Promise<void> {
  console.log('\n## 1. Client overhead on the simulated pair (sequential reference mode)\n');
  console.log(
    '| latency model | steps | wall (ms) | servers busy on critical path (ms) | overhead ratio | median client overhead per step (ms) | requests / step | model-list GETs / run | SpecReason speedup over base-only |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const [name, latency] of [
    ['zero', { base: ZERO_LATENCY, small: ZERO_LATENCY }],
    [`realistic ×${SCALE}`, REALISTIC],
  ] as const) {
    const pair = await startSimPair(DEMO_SCENARIO, { latency });
    try {
      const config = configFor(pair);
      const overheads: number[] = [];
      let last: RunRecord | undefined;
      let busy = 0;
      let wall = 0;
      const runs = name === 'zero' ? 80 : 4;
      const warmUp = name === 'zero' ? 20 : 1; // runs left out of the numbers while the JIT settles
      for (let i = 0; i < runs; i++) {
        pair.base.log.length = 0;
        pair.small.log.length = 0;
        const clients = createClients(config);
        last = await runSpecReason(PROBLEM, config, { clients });
        const perStep = overheadPerStep(last, [...pair.base.log, ...pair.small.log]);
        if (i < warmUp) {
          continue;
        }
        overheads.push(...perStep);
        wall += last.summary.wallMs;
        busy += last.steps.reduce((sum, s) => sum + s.timings.stepMs, 0) - perStep.reduce((a, b) => a + b, 0);
      }
      const measured = runs - warmUp;
      const base = await runBaseline('base', PROBLEM, config);
      const s = last!.summary;
      const requests = (s.base.requests + s.small.requests) / s.steps;
      console.log(
        `| ${name} | ${s.steps} | ${ms(wall / measured)} | ${ms(busy / measured)} | ${(wall / Math.max(busy, 1e-9)).toFixed(2)} | ${median(overheads).toFixed(3)} | ${requests.toFixed(2)} | ${s.base.modelListRequests + s.small.modelListRequests} | ${(base.summary.wallMs / s.wallMs).toFixed(2)}× |`,
      );
    } finally {
      await pair.stop();
    }
  }
}

interface StudyRow {
  rate: number;
  mode: string;
  wallMs: number;
  speedup: number;
  wastedSmall: number;
  wastedBase: number;
  lowerBoundMs: number;
}

async function latencyStudy(): Promise<StudyRow[]> {
  const modes: Array<[string, Partial<SpecReasonConfig>]> = [
    ['sequential', {}],
    ['draft-ahead', { draftAhead: true }],
    ['eager', { eagerFallback: true }],
    ['both', { draftAhead: true, eagerFallback: true }],
  ];
  const rows: StudyRow[] = [];
  console.log(
    `\n## 2. Latency study (24 steps of ~80 tokens; base decode ${40 * SCALE} ms/token, small ${8 * SCALE} ms/token, base prefill ${0.5 * SCALE} ms per uncached token, +15 % per overlapping request)\n`,
  );
  console.log(
    '| acceptance | mode | wall (ms) | speedup over base-only | vs sequential | wasted tokens small / base | critical-path lower bound (ms) | wall ÷ lower bound |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|');
  for (const rate of [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]) {
    const pair = await startSimPair(acceptanceScenario(rate), { latency: REALISTIC });
    try {
      const baseOnly = await runBaseline('base', PROBLEM, configFor(pair, { tokenBudget: 100_000 }));
      let sequential: RunRecord | undefined;
      for (const [mode, options] of modes) {
        pair.base.clearCache();
        pair.small.clearCache();
        const record = await runSpecReason(PROBLEM, configFor(pair, { ...options, tokenBudget: 100_000 }));
        sequential ??= record;
        // Lower bound per step: the draft when it is kept, the base model's step when it is rejected.
        const lowerBound = sequential.steps.reduce(
          (sum, s) => sum + (s.origin === 'small' ? s.timings.draftMs! : s.timings.baseMs!),
          0,
        );
        const row = {
          rate,
          mode,
          wallMs: record.summary.wallMs,
          speedup: baseOnly.summary.wallMs / record.summary.wallMs,
          wastedSmall: record.summary.small.wastedTokens,
          wastedBase: record.summary.base.wastedTokens,
          lowerBoundMs: lowerBound,
        };
        rows.push(row);
        console.log(
          `| ${rate.toFixed(1)} | ${mode} | ${ms(row.wallMs)} | ${row.speedup.toFixed(2)}× | ${(sequential.summary.wallMs / row.wallMs).toFixed(2)}× | ${row.wastedSmall} / ${row.wastedBase} | ${ms(lowerBound)} | ${(row.wallMs / lowerBound).toFixed(2)} |`,
        );
      }
    } finally {
      await pair.stop();
    }
  }
  return rows;
}

/** Speedup-vs-acceptance curves, one per mode, as a self-contained SVG. */
function writeSvg(rows: StudyRow[], file: string): void {
  const W = 640,
    H = 400,
    L = 60,
    R = 130,
    T = 30,
    B = 50;
  const rates = [...new Set(rows.map((r) => r.rate))];
  const maxY = Math.ceil(Math.max(...rows.map((r) => r.speedup)) * 2) / 2;
  const x = (rate: number) => L + ((rate - rates[0]!) / (rates[rates.length - 1]! - rates[0]!)) * (W - L - R);
  const y = (v: number) => H - B - (v / maxY) * (H - T - B);
  const colours: Record<string, string> = {
    sequential: '#6b7280',
    'draft-ahead': '#2563eb',
    eager: '#d97706',
    both: '#059669',
  };
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">SpecReason speedup over base-only (simulated pair)</text>`,
  ];
  for (let v = 0; v <= maxY; v += 0.5) {
    parts.push(
      `<line x1="${L}" x2="${W - R}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${L - 8}" y="${y(v) + 4}" text-anchor="end">${v.toFixed(1)}×</text>`,
    );
  }
  for (const r of rates) {
    parts.push(`<text x="${x(r)}" y="${H - B + 18}" text-anchor="middle">${r.toFixed(1)}</text>`);
  }
  parts.push(`<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">acceptance rate</text>`);
  parts.push(`<line x1="${L}" x2="${W - R}" y1="${y(1)}" y2="${y(1)}" stroke="#9ca3af" stroke-dasharray="4 3"/>`);
  let legendY = T + 10;
  for (const [mode, colour] of Object.entries(colours)) {
    const points = rows
      .filter((r) => r.mode === mode)
      .map((r) => `${x(r.rate).toFixed(1)},${y(r.speedup).toFixed(1)}`)
      .join(' ');
    parts.push(`<polyline points="${points}" fill="none" stroke="${colour}" stroke-width="2"/>`);
    parts.push(
      `<rect x="${W - R + 12}" y="${legendY - 9}" width="14" height="4" fill="${colour}"/>`,
      `<text x="${W - R + 32}" y="${legendY - 4}">${mode}</text>`,
    );
    legendY += 20;
  }
  parts.push('</svg>');
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, parts.join('\n') + '\n');
}

async function main(): Promise<void> {
  console.log(`# SpecReason benchmark (simulated vLLM pair, node ${process.version}, ${new Date().toISOString()})`);
  await overheadStudy();
  const rows = await latencyStudy();
  const file = path.resolve(__dirname, '../../../docs/bench/speedup-vs-acceptance.svg');
  writeSvg(rows, file);
  const at07 = rows.filter((r) => r.rate === 0.7);
  const seq = at07.find((r) => r.mode === 'sequential')!;
  const both = at07.find((r) => r.mode === 'both')!;
  console.log(
    `\nAt acceptance 0.7, both overlaps: ${(seq.wallMs / both.wallMs).toFixed(2)}× faster than sequential, ${(both.wallMs / both.lowerBoundMs).toFixed(2)}× the critical-path lower bound.`,
  );
  console.log(`Chart: ${path.relative(process.cwd(), file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
