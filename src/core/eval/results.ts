// Results of an evaluation from its run rows: per configuration accuracy (mean pass@1 over repeats, with a
// 95% interval), latency, tokens, acceptance, speedup and accuracy difference against base-only; per
// problem the gold and every configuration's answers. Written as results.json, results.csv and results.md.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { HubSource } from './hub';
import type { PolicyCosts } from '../engine/runRecord';
import type { Configuration, RunRow } from './evaluation';
import { configurationLabel } from './modes';

/** A configuration's costs over its finished runs that recorded them (RunSummary.costs). */
export interface CostsResult {
  /** Runs the numbers cover. */
  runs: number;
  mean: PolicyCosts;
  total: PolicyCosts;
}

export interface ConfigurationResult {
  name: string;
  /** In plain words, e.g. `first-token H≥0.9`. */
  label: string;
  mode: Configuration['mode'];
  /** The step policy (runs of the SpecReason loop). */
  policy?: Configuration['policy'];
  threshold: number | null;
  scoreMethod: Configuration['scoreMethod'];
  /** The policy's own parameter, e.g. {"lookaheadSteps": 3}. */
  params?: Configuration['params'];
  /** Runs that finished (failed runs are counted in `failed`, not here). */
  runs: number;
  failed: number;
  correct: number;
  /** Mean over problems of the fraction of its repeats answered correctly (mean pass@1). */
  accuracy: number | null;
  /** 95% interval of the accuracy: ±1.96 standard errors of the per-problem means (clipped to 0–1). */
  accuracyCi95: [number, number] | null;
  meanWallMs: number | null;
  medianWallMs: number | null;
  p90WallMs: number | null;
  meanTtftMs: number | null;
  meanSmallTokens: number | null;
  meanBaseTokens: number | null;
  /** accepted ÷ scored drafts over all runs (SpecReason only). */
  acceptanceRate: number | null;
  /** Base-only mean wall time ÷ this configuration's. */
  speedupVsBase: number | null;
  /** Median over problems of (base-only mean wall ÷ this configuration's mean wall on that problem). */
  medianPairedSpeedupVsBase: number | null;
  /** This accuracy minus base-only's (percentage points as a fraction). */
  accuracyDiffVsBase: number | null;
  /** Requests, judge calls, tokens by model, wasted tokens, critical path and its lower bound. */
  costs: CostsResult | null;
}

export interface ProblemResult {
  problemId: string;
  gold: string;
  /** Per configuration: each repeat's answer and verdict. */
  answers: Record<string, Array<{ repeat: number; answer: string | null; correct: boolean; stopReason: string }>>;
}

/** Where the problems came from and how they were picked (a Hub set's commit repeats the evaluation exactly). */
export interface ResultsSource {
  /** A Hugging Face Hub data set: endpoint, repository, revision asked for, the commit it resolved to, files. */
  hub?: HubSource;
  /** The preset the evaluation ran (e.g. reference-math). */
  preset?: string;
  /** The servers were the project's simulated pair (scripted replies): the accuracies are synthetic. */
  simulated?: boolean;
}

export interface Results extends ResultsSource {
  resultsFormat: 1;
  /** The problem set: a file's path, or `hf:OWNER/NAME@COMMIT[:CONFIG][/SPLIT]`. */
  dataset: string;
  /** Token budget of every run: accuracy depends on it (the paper used 8192). */
  tokenBudget: number;
  repeats: number;
  concurrency: number;
  /** Latencies at concurrency > 1 include queueing on the servers. */
  latencyNote: string;
  choiceOrder: string;
  configurations: ConfigurationResult[];
  problems: ProblemResult[];
  runs: RunRow[];
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : null);

export function quantile(xs: readonly number[], q: number): number | null {
  if (!xs.length) {
    return null;
  }
  const sorted = [...xs].sort((a, b) => a - b);
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

function byProblem(rows: readonly RunRow[]): Map<string, RunRow[]> {
  const map = new Map<string, RunRow[]>();
  for (const r of rows) {
    const list = map.get(r.problemId) ?? [];
    list.push(r);
    map.set(r.problemId, list);
  }
  return map;
}

type Numbers = { [key: string]: number | Numbers };

/** Field by field: the sum of numeric trees of one shape (PolicyCosts), divided by `divisor`. */
function sumTree(trees: readonly Numbers[], divisor = 1): Numbers {
  const out: Numbers = {};
  for (const key of Object.keys(trees[0] ?? {})) {
    const values = trees.map((t) => t[key]);
    out[key] =
      typeof values[0] === 'number'
        ? values.reduce<number>((a, v) => a + (typeof v === 'number' ? v : 0), 0) / divisor
        : sumTree(
            values.filter((v): v is Numbers => typeof v === 'object'),
            divisor,
          );
  }
  return out;
}

function costsOf(rows: readonly RunRow[]): CostsResult | null {
  const costs = rows.flatMap((r) => (r.costs ? [r.costs as unknown as Numbers] : []));
  if (!costs.length) {
    return null;
  }
  return {
    runs: costs.length,
    mean: sumTree(costs, costs.length) as unknown as PolicyCosts,
    total: sumTree(costs) as unknown as PolicyCosts,
  };
}

function summarise(configuration: Configuration, rows: readonly RunRow[]): ConfigurationResult {
  const finished = rows.filter((r) => r.stopReason !== 'error');
  const perProblem = [...byProblem(finished).values()].map(
    (list) => list.filter((r) => r.correct).length / list.length,
  );
  const accuracy = mean(perProblem);
  let ci: [number, number] | null = null;
  if (accuracy !== null) {
    const n = perProblem.length;
    const variance = n > 1 ? perProblem.reduce((a, p) => a + (p - accuracy) ** 2, 0) / (n - 1) : 0;
    const half = 1.96 * Math.sqrt(variance / n);
    ci = [Math.max(0, accuracy - half), Math.min(1, accuracy + half)];
  }
  const walls = finished.map((r) => r.wallMs);
  const scored = finished.reduce((a, r) => a + r.accepted + r.rejected, 0);
  const ttfts = finished.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  return {
    name: configuration.name,
    label: configuration.label ?? configurationLabel(configuration),
    mode: configuration.mode,
    ...(configuration.policy ? { policy: configuration.policy } : {}),
    threshold: configuration.threshold,
    scoreMethod: configuration.scoreMethod,
    ...(configuration.params ? { params: configuration.params } : {}),
    runs: finished.length,
    failed: rows.length - finished.length,
    correct: finished.filter((r) => r.correct).length,
    accuracy,
    accuracyCi95: ci,
    meanWallMs: mean(walls),
    medianWallMs: quantile(walls, 0.5),
    p90WallMs: quantile(walls, 0.9),
    meanTtftMs: mean(ttfts),
    meanSmallTokens: mean(finished.map((r) => r.smallTokens)),
    meanBaseTokens: mean(finished.map((r) => r.baseTokens)),
    acceptanceRate: scored ? finished.reduce((a, r) => a + r.accepted, 0) / scored : null,
    speedupVsBase: null,
    medianPairedSpeedupVsBase: null,
    accuracyDiffVsBase: null,
    costs: costsOf(finished),
  };
}

export function buildResults(
  rows: readonly RunRow[],
  configurations: readonly Configuration[],
  info: {
    dataset: string;
    tokenBudget: number;
    repeats: number;
    concurrency: number;
    choiceOrder: string;
  } & ResultsSource,
): Results {
  const results = configurations.map((c) =>
    summarise(
      c,
      rows.filter((r) => r.configuration === c.name),
    ),
  );
  const base = results.find((r) => r.mode === 'base');
  if (base?.meanWallMs) {
    const baseRows = byProblem(rows.filter((r) => r.configuration === base.name && r.stopReason !== 'error'));
    for (const r of results) {
      r.speedupVsBase = r.meanWallMs ? base.meanWallMs / r.meanWallMs : null;
      r.accuracyDiffVsBase = r.accuracy !== null && base.accuracy !== null ? r.accuracy - base.accuracy : null;
      const ratios: number[] = [];
      for (const [problemId, list] of byProblem(
        rows.filter((x) => x.configuration === r.name && x.stopReason !== 'error'),
      )) {
        const b = mean(baseRows.get(problemId)?.map((x) => x.wallMs) ?? []);
        const mine = mean(list.map((x) => x.wallMs));
        if (b !== null && mine) {
          ratios.push(b / mine);
        }
      }
      r.medianPairedSpeedupVsBase = quantile(ratios, 0.5);
    }
  }
  const problems: ProblemResult[] = [...byProblem(rows)].map(([problemId, list]) => {
    const answers: ProblemResult['answers'] = {};
    for (const r of [...list].sort((a, b) => a.repeat - b.repeat)) {
      (answers[r.configuration] ??= []).push({
        repeat: r.repeat,
        answer: r.answer,
        correct: r.correct,
        stopReason: r.stopReason,
      });
    }
    // The gold as stored per run (multiple choice: the letter differs per repeat); show the first.
    return { problemId, gold: list[0]!.gold, answers };
  });
  const order = new Map(configurations.map((c, i) => [c.name, i]));
  const runs = [...rows].sort(
    (a, b) =>
      a.problemId.localeCompare(b.problemId, undefined, { numeric: true }) ||
      a.repeat - b.repeat ||
      order.get(a.configuration)! - order.get(b.configuration)!,
  );
  return {
    resultsFormat: 1,
    ...info,
    latencyNote:
      info.concurrency > 1
        ? `concurrency ${info.concurrency}: wall times include queueing on shared servers (throughput setting)`
        : 'concurrency 1: one run at a time (the paper latency setting)',
    configurations: results,
    problems,
    runs,
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const secs = (ms: number | null) => (ms === null ? '-' : `${(ms / 1000).toFixed(2)} s`);
const ratio = (x: number | null) => (x === null ? '-' : `${x.toFixed(2)}×`);

const count = (x: number | undefined) => (x === undefined ? '-' : x < 10 ? x.toFixed(1) : String(Math.round(x)));

/** The cost columns (mean per run), shown when a configuration recorded its costs. */
function costCells(c: ConfigurationResult): string[] {
  const m = c.costs?.mean;
  if (!m) {
    return ['-', '-', '-', '-', '-'];
  }
  return [
    `${count(m.requests.small)} / ${count(m.requests.base)}`,
    count(m.judgeCalls),
    count(m.wastedTokens),
    secs(m.criticalPathMs),
    secs(m.lowerBoundMs),
  ];
}

/** The summary table (Markdown; also what the CLI prints). */
export function resultsTable(results: Results): string {
  const withCosts = results.configurations.some((c) => c.costs);
  const header = [
    'configuration',
    'runs',
    'correct',
    'accuracy (95% CI)',
    'mean',
    'median',
    'p90',
    'acceptance',
    'small tok',
    'base tok',
    'speedup',
    'Δ acc vs base',
    ...(withCosts ? ['requests small / base', 'judge calls', 'wasted tok', 'critical path', 'lower bound'] : []),
  ];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const c of results.configurations) {
    const ci = c.accuracyCi95 ? ` (${pct(c.accuracyCi95[0])}–${pct(c.accuracyCi95[1])})` : '';
    lines.push(
      `| ${[
        c.label && c.label !== c.name ? `${c.label} (${c.name})` : c.name,
        `${c.runs}${c.failed ? ` (+${c.failed} failed)` : ''}`,
        c.correct,
        pct(c.accuracy) + ci,
        secs(c.meanWallMs),
        secs(c.medianWallMs),
        secs(c.p90WallMs),
        pct(c.acceptanceRate),
        c.meanSmallTokens === null ? '-' : Math.round(c.meanSmallTokens),
        c.meanBaseTokens === null ? '-' : Math.round(c.meanBaseTokens),
        ratio(c.speedupVsBase),
        c.accuracyDiffVsBase === null
          ? '-'
          : `${c.accuracyDiffVsBase >= 0 ? '+' : ''}${(100 * c.accuracyDiffVsBase).toFixed(1)} pt`,
        ...(withCosts ? costCells(c) : []),
      ].join(' | ')} |`,
    );
  }
  return lines.join('\n') + '\n';
}

export function resultsMarkdown(results: Results): string {
  const out = [
    `# Evaluation of ${results.hub ? results.dataset : path.basename(results.dataset)}`,
    '',
    `Token budget ${results.tokenBudget}, ${results.repeats} repeat(s), ${results.latencyNote}; option order: ${results.choiceOrder}${results.choiceOrder === 'reference' ? ' (the reference layout: the correct answer is always (A))' : ''}.`,
    'Accuracy is mean pass@1 over repeats; speedup is base-only mean wall time ÷ the configuration’s.',
    '',
    resultsTable(results),
    '## Per problem',
    '',
    `| problem | gold | ${results.configurations.map((c) => c.name).join(' | ')} |`,
    `|---|---|${results.configurations.map(() => '---').join('|')}|`,
  ];
  const cell = (s: string | null) => (s === null ? '—' : s.replace(/\|/g, '\\|').replace(/\s+/g, ' ').slice(0, 40));
  for (const p of results.problems) {
    out.push(
      `| ${cell(p.problemId)} | ${cell(p.gold)} | ${results.configurations
        .map(
          (c) => (p.answers[c.name] ?? []).map((a) => `${a.correct ? '✓' : '✗'} ${cell(a.answer)}`).join('<br>') || '—',
        )
        .join(' | ')} |`,
    );
  }
  return out.join('\n') + '\n';
}

/** Mean costs per run in the CSV. */
const COST_COLUMNS: ReadonlyArray<readonly [string, (m: PolicyCosts) => number]> = [
  ['meanSmallRequests', (m) => m.requests.small],
  ['meanBaseRequests', (m) => m.requests.base],
  ['meanJudgeCalls', (m) => m.judgeCalls],
  ['meanWastedTokens', (m) => m.wastedTokens],
  ['meanCriticalPathMs', (m) => m.criticalPathMs],
  ['meanLowerBoundMs', (m) => m.lowerBoundMs],
];

/** CSV of the configurations (one line each), for spreadsheets. */
export function resultsCsv(results: Results): string {
  const columns: Array<Exclude<keyof ConfigurationResult, 'accuracyCi95' | 'params' | 'costs'>> = [
    'name',
    'label',
    'mode',
    'policy',
    'threshold',
    'scoreMethod',
    'runs',
    'failed',
    'correct',
    'accuracy',
    'meanWallMs',
    'medianWallMs',
    'p90WallMs',
    'meanTtftMs',
    'meanSmallTokens',
    'meanBaseTokens',
    'acceptanceRate',
    'speedupVsBase',
    'medianPairedSpeedupVsBase',
    'accuracyDiffVsBase',
  ];
  const csvCell = (v: string | number | boolean | null | undefined) => {
    const s = v === null || v === undefined ? '' : String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return (
    [
      [...columns, 'accuracyCi95Low', 'accuracyCi95High', 'parameter', ...COST_COLUMNS.map(([name]) => name)].join(','),
      ...results.configurations.map((c) =>
        [
          ...columns.map((k) => csvCell(c[k])),
          csvCell(c.accuracyCi95?.[0]),
          csvCell(c.accuracyCi95?.[1]),
          csvCell(
            Object.entries(c.params ?? {})
              .map(([k, v]) => `${k}=${v}`)
              .join(' '),
          ),
          ...COST_COLUMNS.map(([, value]) => csvCell(c.costs ? value(c.costs.mean) : null)),
        ].join(','),
      ),
    ].join('\n') + '\n'
  );
}

export async function writeResults(outDir: string, results: Results): Promise<void> {
  await writeFile(path.join(outDir, 'results.json'), JSON.stringify(results, null, 1) + '\n');
  await writeFile(path.join(outDir, 'results.csv'), resultsCsv(results));
  await writeFile(path.join(outDir, 'results.md'), resultsMarkdown(results));
}
