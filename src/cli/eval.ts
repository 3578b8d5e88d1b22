// The evaluation commands of the `specreason` CLI: `eval` and `grade`, registered by cli.ts.

import { Command, InvalidArgumentError, Option } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ScoreMethod, SpecReasonConfig } from '../core/config';
import { runEvaluation, type ChoiceOrder, type EvalProgress } from '../core/eval/evaluation';
import {
  configurationsOf,
  EVAL_MODES,
  POLICY_SWEEPS,
  sweepValueProblem,
  type EvalMode,
  type PolicySweep,
  type PolicySweeps,
} from '../core/eval/modes';
import { notGraded } from '../core/eval/grader';
import { ReplicaPool } from '../core/eval/replicas';
import { formatBytes, NAMED_DATASETS, resolveDataset, type HubProgress } from '../core/eval/hub';
import { EVAL_PRESET_NAMES, EVAL_PRESETS, presetNamed } from '../core/eval/presets';
import { loadProblemSet, parseFieldOverrides } from '../core/eval/problemSet';
import { regradeDirectory } from '../core/eval/regrade';
import { buildResults, resultsTable, writeResults } from '../core/eval/results';
import { demoSetJsonl, demoSetScripts } from '../sim/evalDemo';
import { realisticLatency, startSimPair, DEMO_SCENARIO } from '../sim/scenarios';
import { ZERO_LATENCY } from '../sim/simulatedVllm';
import { RUN_SETTINGS } from '../core/settingsTable';
import { EXIT, UserError } from './errors';
import { gradePairsFile, ungradedNotice } from './grade';
import { addSolveOptions, configFrom, type RunFlags } from './options';
import { cancelOnSignals } from './signals';

/** `solve` options that `eval` replaces with its own (plural) ones or that make no sense there. */
const NOT_FOR_EVAL = new Set([
  'problem',
  'problemFile',
  'mode',
  'out',
  'json',
  'quiet',
  'dataset',
  'problem_id',
  'repeat_id',
  'output_dir',
  'threshold',
  'score_threshold',
  'scoreMethod',
  'score_method',
  'promptStyle',
  // --modes names the policies; each policy's parameter is a list flag of its own (--entropy-thresholds…).
  'policy',
  ...Object.values(POLICY_SWEEPS).map((s) => s.param),
]);

export interface EvalFlags extends PolicySweeps {
  dataset?: string;
  preset?: string;
  out: string;
  modes: EvalMode[];
  thresholds?: number[];
  scoreMethods?: ScoreMethod[];
  repeats: number;
  concurrency: number;
  limit?: number;
  ids?: string[];
  sample?: number;
  seed: number;
  choiceOrder: ChoiceOrder;
  fields?: string;
  baseUrls?: string[];
  smallUrls?: string[];
  json?: boolean;
  quiet?: boolean;
  /** eval-demo: the servers are the simulated pair (results.json says so). */
  simulated?: boolean;
  [solveOption: string]: unknown;
}

const whole = (flag: string, min: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) {
    throw new InvalidArgumentError(`${flag} must be a whole number ≥ ${min}`);
  }
  return n;
};

const list =
  <T>(flag: string, parseItem: (s: string) => T) =>
  (value: string): T[] => {
    const items = value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (!items.length) {
      throw new InvalidArgumentError(`${flag} needs at least one value`);
    }
    return items.map(parseItem);
  };

const oneOf =
  <T extends string>(flag: string, allowed: readonly T[]) =>
  (s: string): T => {
    if (!allowed.includes(s as T)) {
      throw new InvalidArgumentError(`${flag}: "${s}" is not one of ${allowed.join(', ')}`);
    }
    return s as T;
  };

const threshold = (s: string) => {
  const n = Number(s);
  if (!s || !Number.isFinite(n) || n < 0 || n > 9) {
    throw new InvalidArgumentError(`--thresholds: "${s}" is not a number from 0 to 9`);
  }
  return n;
};

/** Runs a command body and keeps its exit code (bad input throws UserError: cli.ts prints it, exit 2). */
async function withExitCode(body: () => Promise<number>): Promise<void> {
  process.exitCode = await body();
}

function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return '?';
  }
  const s = Math.round(ms / 1000);
  return s >= 3600
    ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`
    : s >= 60
      ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`
      : `${s}s`;
}

function progressLine(p: EvalProgress): string {
  const r = p.row!;
  const verdict =
    r.stopReason === 'error' ? `FAILED: ${r.error ?? 'error'}` : notGraded(r) ? '? not graded' : r.correct ? '✓' : '✗';
  const accuracy = p.graded ? `${((100 * p.correct) / p.graded).toFixed(1)}%` : '-';
  return (
    `[${p.done}/${p.total}] ${r.configuration} ${r.problemId} #${r.repeat} ${verdict} ` +
    `${(r.wallMs / 1000).toFixed(2)} s — accuracy so far ${accuracy}${p.failed ? `, ${p.failed} failed` : ''} — ETA ${duration(p.etaMs)}\n`
  );
}

/** Replicas (--base-urls/--small-urls): a pool; otherwise one pair per run (a router's header: --router). */
function replicaPool(flags: EvalFlags, config: SpecReasonConfig): ReplicaPool | undefined {
  if (!flags.baseUrls && !flags.smallUrls) {
    return undefined;
  }
  for (const url of [...(flags.baseUrls ?? []), ...(flags.smallUrls ?? [])]) {
    if (!/^https?:\/\/[^/]/.test(url)) {
      throw new UserError(
        `--base-urls/--small-urls: ${url} is not an http(s) URL (with /v1, e.g. http://gpu2:30000/v1)`,
      );
    }
  }
  return new ReplicaPool(config, {
    base: flags.baseUrls ?? [config.base.url],
    small: flags.smallUrls ?? [config.small.url],
  });
}

/** Download progress on stderr: one updating line on a terminal, a line a second otherwise. */
function downloadProgress(say: (text: string) => void): (p: HubProgress) => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  return (p) => {
    const done = p.total !== undefined && p.received >= p.total;
    if (!done && !tty && Date.now() - last < 1000) {
      return;
    }
    last = Date.now();
    const share = p.total ? ` ${Math.floor((100 * p.received) / p.total)}%` : '';
    const line = `downloading ${p.file}:${share} ${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`;
    say(tty ? `\r${line}${done ? '\n' : ''}` : `${line}\n`);
  };
}

/** Flags a preset sets unless given on the command line (`source` says where a flag's value came from). */
function applyPreset(flags: EvalFlags, source: (flag: string) => string | undefined): EvalFlags {
  if (flags.preset === undefined) {
    return flags;
  }
  const preset = presetNamed(flags.preset)!;
  const given = (flag: string) => source(flag) === 'cli';
  return {
    ...flags,
    dataset: flags.dataset ?? preset.dataset,
    limit: given('limit') ? flags.limit : preset.limit,
    modes: given('modes') ? flags.modes : preset.modes,
    thresholds: given('thresholds') ? flags.thresholds : preset.thresholds,
    scoreMethods: given('scoreMethods') ? flags.scoreMethods : preset.scoreMethods,
    repeats: given('repeats') ? flags.repeats : preset.repeats,
    choiceOrder: given('choiceOrder') ? flags.choiceOrder : preset.choiceOrder,
    tokenBudget: given('tokenBudget') || given('token_budget') ? flags.tokenBudget : preset.tokenBudget,
  };
}

/** Which Hub revision and which preset an evaluation uses, before it starts. */
function announceDataset(
  dataset: Awaited<ReturnType<typeof resolveDataset>>,
  presetName: string | undefined,
  say: (text: string) => void,
): void {
  if (dataset.hub) {
    const h = dataset.hub;
    say(
      `data set ${h.repo}${h.config ? ` (${h.config})` : ''}${h.split ? `, split ${h.split}` : ''} at commit ${h.commit}` +
        `${dataset.offline ? ' (offline: from the cache)' : ''}: ${h.files.join(', ')}\n`,
    );
  }
  if (presetName) {
    const preset = presetNamed(presetName)!;
    say(`preset ${preset.name}: ${preset.title} (reference ids ${preset.referenceIds})\n`);
  }
}

async function evaluate(flags: EvalFlags): Promise<number> {
  // The sweeps are lists, not settings (--lookahead-steps shares its name with the setting's flag).
  const settings = Object.fromEntries(Object.entries(flags).filter(([key]) => !SWEEP_KEYS.has(key)));
  const config = configFrom({ ...settings, mode: 'specreason' } as EvalFlags & RunFlags);
  if (existsSync(flags.out) && !statSync(flags.out).isDirectory()) {
    throw new UserError(`--out ${flags.out} exists and is not a directory`);
  }
  if (flags.dataset === undefined) {
    throw new UserError(
      `give --dataset (a file, ${NAMED_DATASETS.map((d) => d.name).join(', ')} or hf:OWNER/NAME) or --preset`,
    );
  }
  const say = (text: string) => {
    if (!flags.quiet) {
      process.stderr.write(text);
    }
  };
  const dataset = await resolveDataset(flags.dataset, { onProgress: downloadProgress(say) });
  announceDataset(dataset, flags.preset, say);
  const set = await loadProblemSet(dataset.files, {
    fields: flags.fields ? parseFieldOverrides(flags.fields) : undefined,
    select: { ids: flags.ids, limit: flags.limit, sample: flags.sample, seed: flags.seed },
  });
  set.file = dataset.name;
  const configurations = configurationsOf(
    flags.modes,
    flags.thresholds ?? [config.threshold],
    flags.scoreMethods ?? [config.scoreMethod],
    flags,
    config,
  );
  say(
    `specreason eval: ${set.problems.length} problems (${set.fields.format} fields) × ${flags.repeats} repeat(s) × ` +
      `${configurations.length} configuration(s) [${configurations.map((c) => c.label).join(', ')}], ` +
      `concurrency ${flags.concurrency}, token budget ${config.tokenBudget} → ${flags.out}\n`,
  );
  if (flags.choiceOrder === 'reference' && set.problems.some((p) => p.options)) {
    say('option order: reference (the correct answer is always (A), as in the reference script)\n');
  }
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, () =>
    say('\ncancelling… finished runs are kept; run the same command again to complete the rest\n'),
  );
  let outcome;
  try {
    outcome = await runEvaluation({
      set,
      outDir: flags.out,
      config,
      configurations,
      repeats: flags.repeats,
      concurrency: flags.concurrency,
      choiceOrder: flags.choiceOrder,
      seed: flags.seed,
      signal: controller.signal,
      servers: replicaPool(flags, config),
      onProgress: (p) => say(progressLine(p)),
    });
  } finally {
    signals.dispose();
  }
  if (outcome.skipped) {
    say(`${outcome.skipped} run(s) already finished in ${flags.out} were kept\n`);
  }
  const results = buildResults(outcome.rows, configurations, {
    dataset: dataset.name,
    hub: dataset.hub,
    preset: flags.preset,
    simulated: flags.simulated === true || undefined,
    tokenBudget: config.tokenBudget,
    repeats: flags.repeats,
    concurrency: flags.concurrency,
    choiceOrder: flags.choiceOrder,
  });
  await writeResults(flags.out, results);
  if (flags.json) {
    process.stdout.write(JSON.stringify(results, null, 1) + '\n');
  } else {
    process.stdout.write(resultsTable(results));
  }
  const ungraded = outcome.rows.filter(notGraded).length;
  if (ungraded) {
    process.stderr.write(`specreason: ${ungradedNotice(ungraded)}\n`);
  }
  const missing = outcome.jobs - outcome.rows.length;
  say(
    `wrote ${path.join(flags.out, 'results.json')}, results.csv, results.md` +
      (missing ? `; ${missing} run(s) not done (rerun to complete)` : '') +
      (outcome.failed ? `; ${outcome.failed} failed (a rerun retries them)` : '') +
      '\n',
  );
  if (outcome.cancelled) {
    return signals.exitCode ?? EXIT.cancelled;
  }
  return outcome.failed ? EXIT.failed : EXIT.ok;
}

/** `eval-demo`: the demo set against a SIMULATED pair started for the purpose. */
async function evalDemo(flags: EvalFlags & { latency: string }): Promise<number> {
  const latency = flags.latency === 'zero' ? { base: ZERO_LATENCY, small: ZERO_LATENCY } : realisticLatency(0.1);
  const scripts = demoSetScripts();
  const pair = await startSimPair(DEMO_SCENARIO, { latency, base: scripts.base, small: scripts.small });
  try {
    await mkdir(flags.out, { recursive: true });
    const dataset = path.join(flags.out, 'demo-set.jsonl');
    await writeFile(dataset, demoSetJsonl());
    if (!flags.quiet) {
      process.stderr.write(
        `SIMULATED model pair (scripted replies, not real models): base ${pair.base.baseUrl}, small ${pair.small.baseUrl}\n`,
      );
    }
    return await evaluate({
      ...flags,
      dataset,
      baseUrl: pair.base.baseUrl,
      smallUrl: pair.small.baseUrl,
      simulated: true,
    });
  } finally {
    await pair.stop();
  }
}

async function regrade(dir: string, json: boolean): Promise<number> {
  const { results, changed } = await regradeDirectory(dir);
  await writeResults(dir, results);
  process.stderr.write(`re-graded ${results.runs.length} run(s) in ${dir}: ${changed} verdict(s) changed\n`);
  const ungraded = results.runs.filter(notGraded).length;
  if (ungraded) {
    process.stderr.write(`specreason: ${ungradedNotice(ungraded)}\n`);
  }
  process.stdout.write(json ? JSON.stringify(results, null, 1) + '\n' : resultsTable(results));
  return EXIT.ok;
}

const SWEEP_KEYS = new Set<string>(Object.values(POLICY_SWEEPS).map((s) => s.sweep));

/** A value of a policy's sweep, in its parameter's range. */
const sweepValue = (sweep: PolicySweep) => (s: string) => {
  const problem = sweepValueProblem(sweep, s.trim() ? Number(s) : Number.NaN);
  if (problem) {
    throw new InvalidArgumentError(problem.replace(/: (\S+) is/, `: "${s}" is`));
  }
  return Number(s);
};

/** One list flag per policy parameter (`--entropy-thresholds 0.6,0.9`): that policy's configurations. */
function sweepOptions(cmd: Command): Command {
  for (const [policy, sweep] of Object.entries(POLICY_SWEEPS)) {
    cmd.option(
      `${sweep.flag} <list>`,
      `${policy}: ${RUN_SETTINGS[sweep.param].cli.help.replace(/^[\w-]+: /, '')}; one configuration per value, comma-separated (default ${RUN_SETTINGS[sweep.param].default})`,
      list(sweep.flag, sweepValue(sweep)),
    );
  }
  return cmd;
}

/** The evaluation flags shared by `eval` and `eval-demo` (defaults differ for the demo). */
function evalOptions(cmd: Command, defaults: { thresholds?: number[]; repeats?: number } = {}): Command {
  cmd
    .addOption(
      new Option(
        '--modes <list>',
        `comma-separated: step policies (${EVAL_MODES.filter((m) => m !== 'base' && m !== 'small').join(', ')}) and the baselines base, small`,
      )
        .argParser(list('--modes', oneOf<EvalMode>('--modes', EVAL_MODES)))
        .default(['specreason', 'base', 'small'], 'specreason,base,small'),
    )
    .option(
      '--thresholds <list>',
      'thresholds of the policies that keep drafts on the base model score, e.g. 5,7,9 (default 7)',
      list('--thresholds', threshold),
      defaults.thresholds,
    )
    .option(
      '--score-methods <list>',
      'greedy, average (default greedy)',
      list('--score-methods', oneOf<ScoreMethod>('--score-methods', ['greedy', 'average'])),
    )
    .option('--repeats <n>', 'runs per problem and configuration', whole('--repeats', 1), defaults.repeats ?? 1)
    .option('--concurrency <n>', 'runs at once (1: the paper latency setting)', whole('--concurrency', 1), 1)
    .option('--limit <n>', 'the first n problems (after --ids and --sample)', whole('--limit', 1))
    .option('--ids <list>', 'only these problem ids, comma-separated', list('--ids', String))
    .option('--sample <n>', 'a random sample of n problems (see --seed)', whole('--sample', 1))
    .option('--seed <n>', 'seed of --sample and of the option shuffle', whole('--seed', 0), 0)
    .addOption(
      new Option(
        '--choice-order <order>',
        'multiple-choice option order: shuffled per problem and repeat, or reference (correct = A)',
      )
        .choices(['shuffled', 'reference'])
        .default('shuffled'),
    )
    .option('--fields <map>', 'column mapping, e.g. problem=Question,answer=Correct Answer,id=Record ID')
    .option('--json', 'print results.json on stdout instead of the table')
    .option('-q, --quiet', 'no progress lines');
  return sweepOptions(cmd);
}

export function registerEvalCommands(program: Command): void {
  const command = program
    .command('eval')
    .description(
      'evaluate on a problem set: modes × thresholds × score methods × problems × repeats; one JSON file per run, results.json/.csv/.md',
    )
    .option(
      '--dataset <set>',
      `problem set: a file (.jsonl, .json, .csv, .parquet), a name (${NAMED_DATASETS.map((d) => d.name).join(', ')}) or ` +
        'hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT] from the Hugging Face Hub (HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE, cache in HF_HUB_CACHE)',
    )
    .addOption(
      new Option(
        '--preset <name>',
        `the reference spec_reason.py's selection and defaults (threshold 7, greedy, budget 8192; specreason and base): ` +
          EVAL_PRESETS.map((p) => `${p.name} = ${p.title}`).join('; ') +
          '. Its experiment script used --thresholds 9 --repeats 16',
      ).choices(EVAL_PRESET_NAMES),
    )
    .requiredOption('--out <dir>', 'output directory (a rerun skips finished runs)')
    .option(
      '--base-urls <list>',
      'base-model replicas (comma-separated URLs with /v1); runs are balanced over them',
      list('--base-urls', String),
    )
    .option(
      '--small-urls <list>',
      'small-model replicas (comma-separated URLs with /v1)',
      list('--small-urls', String),
    );
  evalOptions(command);
  addSolveOptions(command, NOT_FOR_EVAL);
  command.action(async (flags: EvalFlags, cmd: Command) =>
    withExitCode(() => evaluate(applyPreset(flags, (f) => cmd.getOptionValueSource(f)))),
  );

  const demo = program
    .command('eval-demo')
    .description(
      'evaluate the demo set (12 problems) against a SIMULATED pair: accuracy × latency per threshold in seconds',
    )
    .option('--out <dir>', 'output directory', 'specreason-eval-demo')
    .addOption(
      new Option('--latency <model>', 'zero or scaled (0.1× realistic)').choices(['zero', 'scaled']).default('scaled'),
    );
  evalOptions(demo, { thresholds: [3, 5, 7, 9], repeats: 2 });
  demo.action(async (flags: EvalFlags & { latency: string }) => withExitCode(() => evalDemo(flags)));

  program
    .command('grade')
    .description(
      'grade answers: --pairs FILE.jsonl of {"gold", "response"[, "choices", "problem"]} lines, or re-grade an eval DIR',
    )
    .argument('[dir]', 'an evaluation output directory to re-grade (rewrites each run’s grade and the results)')
    .option('--pairs <file.jsonl>', 'one {"gold": …, "response": …} object a line; prints one verdict a line')
    .option('--json', 'JSON output (pairs: one {"correct", "extracted", "rule"} line per input line)')
    .action(async (dir: string | undefined, flags: { pairs?: string; json?: boolean }) =>
      withExitCode(async () => {
        if (flags.pairs !== undefined) {
          await gradePairsFile(flags.pairs, !!flags.json, (text) => process.stdout.write(text));
          return EXIT.ok;
        }
        if (dir === undefined) {
          throw new UserError('give --pairs FILE.jsonl or an evaluation directory');
        }
        return regrade(dir, !!flags.json);
      }),
    );
}
