// `specreason`: the engine for scripts and batch evaluation. Also starts the simulated vLLM pair.

import { Command, InvalidArgumentError, Option } from 'commander';
import {
  makeConfig,
  validateConfig,
  DEFAULT_BASE_URL,
  DEFAULT_SMALL_URL,
  RUN_MODES,
  type RunMode,
  type SpecReasonConfig,
} from './core/config';
import {
  cliHelp,
  HOST_SETTINGS,
  parseNumberText,
  RUN_SETTING_KEYS,
  RUN_SETTINGS,
  type NumberSetting,
  type RunSettingKey,
  type RunSettings,
  type Setting,
} from './core/settingsTable';
import { run } from './core/engine/specReason';
import { createClients } from './core/llm/factory';
import type { RunEvent, RunRecord } from './core/runRecord';
import { keepPrevious, outputSlot } from './cli/outputDir';
import { checkOutputPath, OutputPathError, writeRecord } from './cli/outputFile';
import { checkProblemId, InputError, problemFromFlags } from './cli/problemInput';
import { cancelOnSignals } from './cli/signals';
import { endQuietlyOnClosedPipes, stripControlSequences, writeErr, writeOut } from './cli/terminal';
import { v1Hint } from './cli/urlHint';
import {
  DEMO_LATENCY,
  DEMO_PROBLEM,
  DEMO_SCENARIO,
  LATENCY_PROFILES,
  latencyProfile,
  startSimPair,
  type LatencyProfile,
} from './sim/scenarios';
import { registerEvalCommands } from './cli/eval';
import { registerCompareCommand } from './cli/compare';

const EXIT = { ok: 0, runFailed: 1, usage: 2, cancelled: 130 } as const;

class UsageError extends Error {}

/** Parses a number flag: plain decimal notation within the range, else exit 2 naming the flag. */
const number =
  (flag: string, range: Pick<NumberSetting, 'min' | 'max' | 'integer'>) =>
  (value: string): number => {
    const parsed = parseNumberText(flag, range, value);
    if ('problem' in parsed) {
      throw new InvalidArgumentError(parsed.problem);
    }
    return parsed.value;
  };

/** Whole numbers of flags that are not settings (ids, ports). */
const WHOLE = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true };
const PORT = { min: 0, max: 65535, integer: true };

const flagName = (flags: string) => flags.split(/[ ,]/)[0]!;

/** The commander option of a table setting; without help text it is hidden (spec_reason.py's spelling). */
function settingOption(spec: Setting, flags: string, help?: string): Option {
  const option = new Option(flags, help);
  if (spec.kind === 'number') {
    option.argParser(number(flagName(flags), spec));
  } else if (spec.kind === 'choice') {
    option.choices(spec.choices);
  }
  return help === undefined ? option.hideHelp() : option;
}

/** Every run setting that has a CLI flag: its option and, for spec_reason.py's flags, the hidden alias. */
function settingOptions(keys: readonly RunSettingKey[]): Array<{ key: RunSettingKey; options: Option[] }> {
  return keys.flatMap((key) => {
    const spec: Setting = RUN_SETTINGS[key];
    if (!spec.cli) {
      return [];
    }
    const options = [settingOption(spec, spec.cli.flags, cliHelp(spec, spec.cli.help))];
    if (spec.cli.reference) {
      options.push(settingOption(spec, spec.cli.reference));
    }
    return [{ key, options }];
  });
}

/** Shared by `check`: the options every command that talks to the servers takes. */
const SERVER_SETTING_KEYS: readonly RunSettingKey[] = ['requestTimeoutSec'];
const SOLVE_SETTING_KEYS = RUN_SETTING_KEYS.filter((k) => !SERVER_SETTING_KEYS.includes(k));

/** The run settings given on the command line (the first of a setting's flags that was given). */
function settingsFrom(flags: Record<string, unknown>): Partial<RunSettings> {
  const given: Record<string, unknown> = {};
  for (const { key, options } of settingOptions(RUN_SETTING_KEYS)) {
    const value = options.map((o) => flags[o.attributeName()]).find((v) => v !== undefined);
    if (value !== undefined) {
      given[key] = value;
    }
  }
  return given;
}

interface SolveFlags {
  problem?: string;
  problemFile?: string;
  baseUrl: string;
  smallUrl: string;
  baseModel?: string;
  smallModel?: string;
  mode: string;
  out?: string;
  json?: boolean;
  quiet?: boolean;
  /** Table settings, under their options' attribute names (see settingsFrom). */
  [setting: string]: unknown;
  // The reference spec_reason.py's own flags that are not settings.
  dataset?: string;
  problem_id?: string;
  maxProblemLength?: number;
  repeat_id?: number;
  output_dir?: string;
}

function configFrom(flags: SolveFlags): SpecReasonConfig {
  const env = process.env;
  const config = makeConfig({
    base: {
      url: flags.baseUrl,
      model: flags.baseModel ?? '',
      apiKey: env.SPECREASON_BASE_API_KEY ?? env.SPECREASON_API_KEY ?? '',
    },
    small: {
      url: flags.smallUrl,
      model: flags.smallModel ?? '',
      apiKey: env.SPECREASON_SMALL_API_KEY ?? env.SPECREASON_API_KEY ?? '',
    },
    ...settingsFrom(flags),
  });
  const problems = validateConfig(config);
  if (problems.length > 0) {
    throw new UsageError(problems.map((p) => p.message).join('\n'));
  }
  return config;
}

function progressPrinter(quiet: boolean): (event: RunEvent) => void {
  const out = (line: string) => writeErr(line + '\n');
  if (quiet) {
    // -q: no progress, but a failure is still explained.
    return (event) => {
      if (event.type === 'error') {
        out(`error: ${event.error.message}${event.error.hint ? `\n  ${event.error.hint}` : ''}`);
      }
    };
  }
  const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  return (event) => {
    switch (event.type) {
      case 'run-start':
        out(
          `specreason: ${event.mode} run ${event.runId} — base ${event.config.base.url}, small ${event.config.small.url}`,
        );
        break;
      case 'step-done': {
        const r = event.record;
        const origin =
          r.origin === 'small'
            ? `small ✓ score ${r.score?.toFixed(2)}`
            : r.origin === 'base-fallback'
              ? `base  ✗ score ${r.score?.toFixed(2)}, rewritten`
              : r.origin === 'base-forced'
                ? 'base  (first-N)'
                : 'baseline';
        const text = r.step_str.replace(/\s+/g, ' ');
        out(
          `step ${String(r.step_id).padStart(3)}  ${origin.padEnd(28)} ${String(r.final_num_output_tokens).padStart(5)} tok  ${secs(r.timings.stepMs).padStart(8)}  ${text.length > 70 ? text.slice(0, 69) + '…' : text}`,
        );
        break;
      }
      case 'error':
        out(`error: ${event.error.message}${event.error.hint ? `\n  ${event.error.hint}` : ''}`);
        break;
      case 'run-done': {
        const s = event.record.summary;
        out(
          `done: ${s.stopReason} after ${s.steps} steps in ${secs(s.wallMs)}; answer ${s.answer ?? '(none)'}; ` +
            `accepted ${s.accepted}/${s.accepted + s.rejected}${s.forced ? `, forced ${s.forced}` : ''}; ` +
            `tokens small ${s.small.tokens}, base ${s.base.tokens}; kept ${s.keptTokens}`,
        );
        break;
      }
      default:
        break;
    }
  };
}

async function solve(flags: SolveFlags, extraHeader?: string): Promise<number> {
  const config = configFrom(flags);
  const mode = flags.mode as RunMode;
  if (!RUN_MODES.includes(mode)) {
    throw new UsageError(`--mode must be ${RUN_MODES.join(', ')} (got ${flags.mode})`);
  }
  const source = problemFromFlags(
    flags,
    config.promptStyle,
    flags.maxProblemLength ?? HOST_SETTINGS.maxProblemLength.default,
  );
  let outFile = flags.out;
  let retry: ReturnType<typeof outputSlot> | undefined;
  if (flags.output_dir !== undefined) {
    if (source.datasetId === undefined) {
      throw new UsageError(
        '--output_dir needs --dataset and --problem_id (it writes DIR/<problem_id>/<repeat_id>.json)',
      );
    }
    const slot = outputSlot(flags.output_dir, checkProblemId(source.datasetId), flags.repeat_id ?? 0);
    if (slot.state === 'done') {
      writeErr(`Problem ${source.datasetId} repeat ${flags.repeat_id ?? 0} resolved (${slot.file} exists), exiting\n`);
      return EXIT.ok;
    }
    if (slot.state === 'retry') {
      writeErr(
        `Problem ${source.datasetId} repeat ${flags.repeat_id ?? 0}: ${slot.file} did not complete (${slot.previous}); running it again\n`,
      );
      retry = slot;
    }
    outFile = slot.file;
  }
  if (outFile !== undefined) {
    checkOutputPath(outFile, flags.output_dir !== undefined ? '--output_dir' : '--out');
  }
  if (extraHeader) {
    writeErr(extraHeader + '\n');
  }
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, writeErr);
  let record: RunRecord;
  try {
    record = await run(mode, source.problem, config, {
      signal: controller.signal,
      onEvent: progressPrinter(!!flags.quiet),
    });
  } finally {
    signals.dispose();
  }
  const json = JSON.stringify(record, null, 2) + '\n';
  if (outFile) {
    if (retry?.state === 'retry') {
      writeErr(`kept the previous record as ${keepPrevious(retry)}\n`);
    }
    const written = writeRecord(outFile, json, record.runId);
    if (written.error) {
      writeErr(`specreason: could not write ${outFile} (${written.error}); the run is in ${written.path}\n`);
    } else if (!flags.quiet) {
      writeErr(`wrote ${outFile}\n`);
    }
  }
  if (flags.json) {
    await writeOut(json);
  }
  const stop = record.summary.stopReason;
  if (stop === 'error') {
    await printUrlHints(config);
  }
  if (stop === 'cancelled') {
    return signals.exitCode ?? EXIT.cancelled;
  }
  return stop === 'error' ? EXIT.runFailed : EXIT.ok;
}

/** After a failure: "did you mean …/v1" for a server URL without it that answers there. */
async function printUrlHints(config: SpecReasonConfig): Promise<void> {
  for (const [server, flag] of [
    [config.base, '--base-url'],
    [config.small, '--small-url'],
  ] as const) {
    const hint = await v1Hint(server, flag);
    if (hint) {
      writeErr(`hint: ${hint}\n`);
    }
  }
}

async function check(flags: { baseUrl: string; smallUrl: string; timeout?: number }): Promise<number> {
  const config = configFrom({ ...flags, mode: 'specreason', stream: true });
  const clients = createClients(config);
  let ok = true;
  for (const client of [clients.base, clients.small]) {
    const h = await client.health();
    if (h.ok && h.models) {
      const m = h.models[0];
      await writeOut(
        stripControlSequences(
          `${client.role.padEnd(5)} ${h.url}  ok  model ${m?.id ?? '?'}  max_model_len ${m?.maxModelLen ?? '?'}  vLLM ${h.version ?? '?'}  ${h.roundTripMs?.toFixed(1)} ms\n`,
        ),
      );
    } else {
      ok = false;
      await writeOut(
        stripControlSequences(
          `${client.role.padEnd(5)} ${h.url}  FAILED  ${h.error?.message ?? `health ${h.healthStatus}`}\n${h.error?.hint ? `      ${h.error.hint}\n` : ''}`,
        ),
      );
    }
  }
  if (!ok) {
    await printUrlHints(config);
  }
  return ok ? EXIT.ok : EXIT.runFailed;
}

async function simulate(flags: { basePort: number; smallPort: number; latency: LatencyProfile }): Promise<number> {
  const latency = latencyProfile(flags.latency);
  const pair = await startSimPair(DEMO_SCENARIO, { latency, ports: { base: flags.basePort, small: flags.smallPort } });
  process.stdout.write(
    `SIMULATED vLLM pair (scripted replies, not real models):\n  base  ${pair.base.baseUrl}  (${pair.base.options.model}, simulated)\n  small ${pair.small.baseUrl}  (${pair.small.options.model}, simulated)\nCtrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await pair.stop();
  return EXIT.ok;
}

export function buildProgram(): Command {
  const program = new Command('specreason')
    .description(
      'SpecReason: a small model drafts each reasoning step, a large model scores it and rewrites the rejected ones.',
    )
    .showHelpAfterError()
    .exitOverride();

  const withSettings = (cmd: Command, keys: readonly RunSettingKey[]) => {
    for (const { options } of settingOptions(keys)) {
      options.forEach((o) => cmd.addOption(o));
    }
    return cmd;
  };
  const serverOptions = (cmd: Command) =>
    withSettings(
      cmd
        .option('--base-url <url>', 'base (large) model server, OpenAI-compatible with /v1', DEFAULT_BASE_URL)
        .option('--small-url <url>', 'small (draft) model server', DEFAULT_SMALL_URL),
      SERVER_SETTING_KEYS,
    );

  const solveCommand = serverOptions(
    program.command('solve').description('solve one problem and write the run as JSON'),
  )
    .option('--problem <text>', 'the problem text')
    .option('--problem-file <path>', 'read the problem from a file')
    .option('--base-model <name>', 'served model name (default: first id of /v1/models)')
    .option('--small-model <name>', 'served model name (default: first id of /v1/models)');
  withSettings(solveCommand, SOLVE_SETTING_KEYS)
    .addOption(
      new Option('--mode <mode>', 'specreason, or base-only / small-only decoding')
        .choices(RUN_MODES)
        .default('specreason'),
    )
    .addOption(
      settingOption(
        HOST_SETTINGS.maxProblemLength,
        '--max-problem-length <n>',
        cliHelp(
          HOST_SETTINGS.maxProblemLength,
          'refuse longer problems (characters; the setting specreason.maxProblemLength)',
        ),
      ),
    )
    .option('--out <path>', 'write the run JSON here')
    .option('--json', 'print the run JSON on stdout')
    .option('-q, --quiet', 'no progress lines')
    .option('--dataset <file.jsonl>', 'problems, one JSON object a line (with --problem_id)')
    .option('--problem_id <id>', 'which problem of --dataset: its "id" field (string or number), else the line index')
    .option('--repeat_id <n>', 'repeat number, names the output file', number('--repeat_id', WHOLE))
    .option('--output_dir <dir>', 'write DIR/<problem_id>/<repeat_id>.json, skipping runs that exist')
    .action(async (flags: SolveFlags) => {
      process.exitCode = await solve(flags);
    });

  serverOptions(
    program.command('check').description('check both servers: health, model, max_model_len, version'),
  ).action(async (flags: { baseUrl: string; smallUrl: string; timeout?: number }) => {
    process.exitCode = await check(flags);
  });

  program
    .command('simulate')
    .description('run the SIMULATED vLLM pair (scripted replies) until Ctrl+C, for trying the extension without GPUs')
    .option('--base-port <n>', 'port of the simulated base model', number('--base-port', PORT), 30000)
    .option('--small-port <n>', 'port of the simulated small model', number('--small-port', PORT), 30001)
    .addOption(
      new Option('--latency <model>', "zero, scaled (0.1× realistic) or realistic (the demo's)")
        .choices(LATENCY_PROFILES)
        .default(DEMO_LATENCY),
    )
    .action(async (flags: { basePort: number; smallPort: number; latency: LatencyProfile }) => {
      process.exitCode = await simulate(flags);
    });

  program
    .command('demo')
    .description('solve the sample problem against a SIMULATED vLLM pair started for the purpose')
    .option('--out <path>', 'write the run JSON here')
    .action(async (flags: { out?: string }) => {
      const pair = await startSimPair(DEMO_SCENARIO, { latency: latencyProfile(DEMO_LATENCY) });
      try {
        process.exitCode = await solve(
          {
            problem: DEMO_PROBLEM,
            baseUrl: pair.base.baseUrl,
            smallUrl: pair.small.baseUrl,
            mode: 'specreason',
            stream: true,
            out: flags.out,
          },
          `SIMULATED model pair (scripted replies, not real models): base ${pair.base.baseUrl}, small ${pair.small.baseUrl}\nProblem: ${DEMO_PROBLEM}`,
        );
      } finally {
        await pair.stop();
      }
    });
  registerEvalCommands(program, configFrom);
  registerCompareCommand(program, configFrom, progressPrinter);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
      return EXIT.ok;
    }
    if (code?.startsWith('commander.')) {
      return EXIT.usage;
    } // commander printed the message
    if (error instanceof UsageError || error instanceof InputError || error instanceof OutputPathError) {
      writeErr(`specreason: ${error.message}\n`);
      return EXIT.usage;
    }
    writeErr(`specreason: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.runFailed;
  }
}

if (require.main === module) {
  endQuietlyOnClosedPipes();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
