// @ts-check
// Evaluate panel fixtures shared by the webview tests and the benchmark: runs and per-configuration
// summaries shaped as the evaluation core makes them, deterministic (seeded), written for these tests.

/** @typedef {import('../../src/shared/protocol').EvalPanelState} EvalPanelState */
/** @typedef {import('../../src/shared/protocol').EvalConfigurationRow} EvalConfigurationRow */
/** @typedef {import('../../src/shared/protocol').EvalRunRow} EvalRunRow */
/** @typedef {import('../../src/shared/protocol').EvalFormValues} EvalFormValues */

const EVAL_PROTOCOL_VERSION = 1;

const HOSTILE_ID = '<img src=x onerror="window.__pwned=1">"\'&amp;';
const HOSTILE_ANSWER = '</td><script>window.__pwned=2</script><b onmouseover="window.__pwned=3">x</b>';

/** Deterministic pseudo-random numbers (mulberry32). */
/** @param {number} seed */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * @param {number[]} thresholds
 * @returns {Array<{ mode: import('../../src/core/config').RunMode; threshold: number; scoreMethod?: 'greedy' }>}
 *   (threshold 0 for base-only and small-only: not sent, as the panel receives them)
 */
function configurations(thresholds, modes = ['specreason', 'base', 'small']) {
  /** @type {ReturnType<typeof configurations>} */
  const list = [];
  if (modes.includes('specreason')) {
    for (const threshold of thresholds) {
      list.push({ mode: 'specreason', threshold, scoreMethod: 'greedy' });
    }
  }
  for (const mode of ['base', 'small']) {
    if (modes.includes(mode)) {
      list.push(/** @type {{ mode: 'base' | 'small'; threshold: number }} */ ({ mode }));
    }
  }
  return list;
}

/**
 * Runs of every configuration: accuracy and latency grow with the threshold; base is slow and right.
 * @param {ReturnType<typeof configurations>} configs
 * @param {string[]} problemIds
 * @param {number} repeats
 * @returns {EvalRunRow[]}
 */
function makeRuns(configs, problemIds, repeats, seed = 1) {
  const rnd = random(seed);
  /** @type {EvalRunRow[]} */
  const runs = [];
  for (const id of problemIds) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const c of configs) {
        const quality = c.mode === 'base' ? 0.85 : c.mode === 'small' ? 0.35 : 0.4 + c.threshold * 0.05;
        const latency = c.mode === 'base' ? 9000 : c.mode === 'small' ? 2500 : 3000 + c.threshold * 450;
        const correct = rnd() < quality;
        runs.push({
          problemId: id,
          repeat,
          ...c,
          answer: correct ? `${id.length}` : `${id.length + 1}`,
          gold: `${id.length}`,
          correct,
          wallMs: Math.round(latency * (0.7 + rnd() * 0.6)),
          stopReason: 'finished',
        });
      }
    }
  }
  return runs;
}

/** @param {{ mode: string, threshold?: number }} c */
const sameConfig = (c) => (/** @type {EvalRunRow} */ r) => r.mode === c.mode && r.threshold === c.threshold;

/**
 * The per-configuration summary rows of the runs so far.
 * @param {ReturnType<typeof configurations>} configs
 * @param {EvalRunRow[]} runs
 * @returns {EvalConfigurationRow[]}
 */
function summarise(configs, runs) {
  const quantile = (/** @type {number[]} */ sorted, /** @type {number} */ q) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const rows = configs.map((c) => {
    const mine = runs.filter(sameConfig(c));
    const ok = mine.filter((r) => r.stopReason !== 'error');
    const walls = ok.map((r) => r.wallMs).sort((a, b) => a - b);
    const correct = ok.filter((r) => r.correct).length;
    const n = ok.length;
    /** @type {EvalConfigurationRow} */
    const row = { ...c, runs: n, correct, failed: mine.length - n };
    if (n > 0) {
      const p = correct / n;
      const half = 1.96 * Math.sqrt((p * (1 - p)) / n);
      Object.assign(row, {
        accuracy: p,
        accuracyLow: Math.max(0, p - half),
        accuracyHigh: Math.min(1, p + half),
        meanWallMs: walls.reduce((a, b) => a + b, 0) / n,
        medianWallMs: quantile(walls, 0.5),
        p90WallMs: quantile(walls, 0.9),
        meanSmallTokens: c.mode === 'base' ? 0 : 900.4,
        meanBaseTokens: c.mode === 'small' ? 0 : 400,
        acceptanceRate: c.mode === 'specreason' ? 1 - c.threshold / 12 : undefined,
      });
    }
    return row;
  });
  const base = rows.find((r) => r.mode === 'base');
  for (const row of rows) {
    if (base?.meanWallMs && row.meanWallMs) {
      row.speedupVsBase = base.meanWallMs / row.meanWallMs;
      row.accuracyDiffVsBase = (row.accuracy ?? 0) - (base.accuracy ?? 0);
    }
  }
  return rows;
}

/**
 * @param {Partial<EvalFormValues>} overrides
 * @returns {EvalFormValues}
 */
function form(overrides = {}) {
  return {
    modes: ['specreason', 'base'],
    thresholds: [7],
    scoreMethods: ['greedy'],
    repeats: 1,
    concurrency: 1,
    choiceOrder: 'shuffled',
    outDir: '',
    ...overrides,
  };
}

/**
 * @param {Partial<EvalPanelState>} overrides
 * @returns {EvalPanelState}
 */
function panelState(overrides = {}) {
  return {
    protocolVersion: EVAL_PROTOCOL_VERSION,
    dataset: { path: '/ws/demo/problems.jsonl', name: 'problems.jsonl', problems: 12 },
    form: form(),
    status: 'idle',
    configurations: [],
    runs: [],
    threshold: 7,
    thresholdTarget: 'user',
    ...overrides,
  };
}

const DEMO_IDS = Array.from({ length: 12 }, (_, i) => `demo-${String(i + 1).padStart(2, '0')}`);

module.exports = {
  EVAL_PROTOCOL_VERSION,
  HOSTILE_ID,
  HOSTILE_ANSWER,
  DEMO_IDS,
  configurations,
  makeRuns,
  summarise,
  form,
  panelState,
};
