// `npm run bench:policies`: measured numbers on the simulated vLLM pair (not a timed test; it asserts nothing).
//  1. Latency per step policy against the latency model at several acceptance rates, beside SpecReason run
//     sequentially (the reference) and pipelined (draft-ahead + eager fallback), with each run's costs and
//     the critical-path lower bound.
//  2. Speculation defaults: draft-ahead and eager fallback (they change no decision) on dedicated servers,
//     and on a base server shared with another user decoding at the same time (what that user loses).
// Prints Markdown tables (the README's are pasted from here).

import { makeConfig, STEP_POLICIES, type SpecReasonConfig, type StepPolicyName } from '../../src/core/config';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { DEMO_PROBLEM, startSimPair, type SimPair } from '../../src/sim/scenarios';
import { acceptanceScenario } from './acceptance';
import type { LatencyModel } from '../../src/sim/simulatedVllm';

const SCALE = Number(process.env.BENCH_SCALE ?? 0.05);
/** The latency model of bench.ts: a 32B base (40 ms/token) and a 1.5B small model (8 ms/token), scaled by SCALE. */
const LATENCY: { base: LatencyModel; small: LatencyModel } = {
  base: { prefillMsPerToken: 0.5 * SCALE, decodeMsPerToken: 40 * SCALE, overlapSlowdown: 0.15, overheadMs: 20 * SCALE },
  small: { prefillMsPerToken: 0.1 * SCALE, decodeMsPerToken: 8 * SCALE, overlapSlowdown: 0.15, overheadMs: 20 * SCALE },
};
const PROBLEM = { text: DEMO_PROBLEM };
const RATES = (process.env.BENCH_RATES ?? '0.3,0.5,0.7,0.9').split(',').map(Number);
/** Runs per measurement: the median wall time is shown (a shared machine's noise is large). */
const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const ms = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(0));

function configFor(pair: SimPair, extra: Partial<SpecReasonConfig> = {}): SpecReasonConfig {
  return makeConfig({
    tokenBudget: 100_000,
    maxRetries: 0,
    requestTimeoutSec: 60,
    ...extra,
    base: { url: pair.base.baseUrl },
    small: { url: pair.small.baseUrl },
  });
}

/**
 * The critical-path lower bound: the engine's (PolicyCosts), else, from a sequential run (whose requests do not
 * overlap), each kept step's own generation time: the draft when it was kept, the base model's step otherwise.
 */
function lowerBound(record: RunRecord, sequential: RunRecord): number {
  return (
    record.summary.costs?.lowerBoundMs ??
    sequential.steps.reduce(
      (sum, s) => sum + (s.origin === 'small' ? (s.timings.draftMs ?? 0) : (s.timings.baseMs ?? s.timings.stepMs)),
      0,
    )
  );
}

interface Mode {
  name: string;
  config: Partial<SpecReasonConfig>;
}

const MODES: Mode[] = [
  { name: 'SpecReason (sequential)', config: {} },
  { name: 'SpecReason (pipelined)', config: { draftAhead: true, eagerFallback: true } },
  ...STEP_POLICIES.filter((p): p is Exclude<StepPolicyName, 'specreason'> => p !== 'specreason').flatMap(
    (policy): Mode[] =>
      // lookahead at several window sizes, beside SpecReason sequential and pipelined (draft-ahead is a window of 2
      // that judges one draft at a time).
      policy === 'lookahead'
        ? [2, 3, 4].map((k) => ({ name: `lookahead k=${k}`, config: { stepPolicy: policy, lookaheadSteps: k } }))
        : [{ name: policy, config: { stepPolicy: policy } }],
  ),
];

/** `REPEATS` runs (caches cleared before each); the one with the median wall time. */
async function medianRun(pair: SimPair, run: () => Promise<RunRecord>): Promise<RunRecord> {
  const records: RunRecord[] = [];
  for (let i = 0; i < REPEATS; i++) {
    pair.base.clearCache();
    pair.small.clearCache();
    records.push(await run());
  }
  return records.sort((a, b) => a.summary.wallMs - b.summary.wallMs)[Math.floor(records.length / 2)]!;
}

async function policyStudy(): Promise<void> {
  console.log(
    `\n## 1. Latency per policy (24 steps of ~80 tokens; base decode ${40 * SCALE} ms/token, small ${8 * SCALE} ms/token, +15 % per overlapping request; default parameters)\n`,
  );
  console.log(
    '| acceptance | mode | wall (ms) | speedup vs base-only | requests small / base | judge calls | wasted tokens | base tokens | lower bound (ms) | wall ÷ lower bound |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const rate of RATES) {
    const pair = await startSimPair(acceptanceScenario(rate), { latency: LATENCY });
    try {
      const base = await medianRun(pair, () => runBaseline('base', PROBLEM, configFor(pair)));
      console.log(
        `| ${rate.toFixed(1)} | base only | ${ms(base.summary.wallMs)} | 1.00× | 0 / 1 | 0 | 0 | ${base.summary.base.tokens} | — | — |`,
      );
      let sequential: RunRecord | undefined;
      for (const mode of MODES) {
        const record = await medianRun(pair, () => runSpecReason(PROBLEM, configFor(pair, mode.config)));
        sequential ??= record;
        const s = record.summary;
        if (s.stopReason === 'error') {
          console.log(`| ${rate.toFixed(1)} | ${mode.name} | n/a: ${s.error?.message ?? 'error'} | | | | | | | |`);
          continue;
        }
        const c = s.costs;
        const bound = lowerBound(record, sequential);
        console.log(
          `| ${rate.toFixed(1)} | ${mode.name} | ${ms(s.wallMs)} | ${(base.summary.wallMs / s.wallMs).toFixed(2)}× | ${c?.requests.small ?? s.small.requests} / ${c?.requests.base ?? s.base.requests} | ${c?.judgeCalls ?? s.accepted + s.rejected} | ${c?.wastedTokens ?? s.small.wastedTokens + s.base.wastedTokens} | ${s.base.tokens} | ${ms(bound)} | ${(s.wallMs / bound).toFixed(2)} |`,
        );
      }
    } finally {
      await pair.stop();
    }
  }
}

const SPECULATION: Mode[] = [
  { name: 'off (default)', config: {} },
  { name: 'draft-ahead', config: { draftAhead: true } },
  { name: 'eager fallback', config: { eagerFallback: true } },
  { name: 'both', config: { draftAhead: true, eagerFallback: true } },
];

/**
 * Dedicated servers: our run alone. Shared: another user decodes a long answer on the same base server
 * while our run goes (started together); what our speculation costs that user is its extra wall time.
 */
async function speculationStudy(): Promise<void> {
  console.log(
    '\n## 2. Speculation defaults: dedicated servers, and a base server shared with another user decoding at the same time\n',
  );
  console.log(
    '| acceptance | speculation | dedicated: wall (ms) | vs off | shared: our wall (ms) | vs off | the other user (ms) | the other user slowed by | wasted tokens small / base |',
  );
  console.log('|---:|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const rate of [0.3, 0.7]) {
    const pair = await startSimPair(acceptanceScenario(rate), { latency: LATENCY });
    try {
      let offWall = 0;
      let offShared = 0;
      // The other user alone on the base server: what our run's requests slow down.
      const other = { text: `${DEMO_PROBLEM} (another user)` };
      const neighbourAlone = (await medianRun(pair, () => runBaseline('base', other, configFor(pair)))).summary.wallMs;
      for (const mode of SPECULATION) {
        const alone = await medianRun(pair, () => runSpecReason(PROBLEM, configFor(pair, mode.config)));
        const shared: Array<[RunRecord, RunRecord]> = [];
        for (let i = 0; i < REPEATS; i++) {
          pair.base.clearCache();
          pair.small.clearCache();
          shared.push(
            await Promise.all([
              runSpecReason(PROBLEM, configFor(pair, mode.config)),
              // The other user: base-only decoding of the same length, on the same base server.
              runBaseline('base', other, configFor(pair)),
            ]),
          );
        }
        const [ours, neighbour] = shared.sort((a, b) => a[0].summary.wallMs - b[0].summary.wallMs)[
          Math.floor(shared.length / 2)
        ]!;
        offWall ||= alone.summary.wallMs;
        offShared ||= ours.summary.wallMs;
        console.log(
          `| ${rate.toFixed(1)} | ${mode.name} | ${ms(alone.summary.wallMs)} | ${(offWall / alone.summary.wallMs).toFixed(2)}× | ${ms(ours.summary.wallMs)} | ${(offShared / ours.summary.wallMs).toFixed(2)}× | ${ms(neighbour.summary.wallMs)} | +${((neighbour.summary.wallMs / neighbourAlone - 1) * 100).toFixed(0)} % | ${alone.summary.small.wastedTokens} / ${alone.summary.base.wastedTokens} |`,
        );
      }
    } finally {
      await pair.stop();
    }
  }
}

async function main(): Promise<void> {
  console.log(
    `# Step-policy benchmark (SIMULATED vLLM pair, node ${process.version}, ${new Date().toISOString()}; median of ${REPEATS} runs each)`,
  );
  await policyStudy();
  await speculationStudy();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
