// The options of the commands that run the engine, declared once: `solve` takes them all, `check` the
// servers', `compare` and `eval` all but the ones they replace. Number flags are parsed by the settings
// table's rules, so a flag and its setting accept the same values.

import { SERVER_KIND_SETTINGS, type ServerKindSetting } from '../core/llm/server';
import { InvalidArgumentError, Option, type Command } from 'commander';
import {
  makeConfig,
  validateConfig,
  DEFAULT_BASE_URL,
  DEFAULT_SMALL_URL,
  RUN_MODES,
  type SpecReasonConfig,
} from '../core/config';
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
} from '../core/settingsTable';
import { UserError } from './errors';

/** Parses a number flag: plain decimal notation within the range, else exit 2 naming the flag. */
export const number =
  (flag: string, range: Pick<NumberSetting, 'min' | 'max' | 'integer'>) =>
  (value: string): number => {
    const parsed = parseNumberText(flag, range, value);
    if ('problem' in parsed) {
      throw new InvalidArgumentError(parsed.problem);
    }
    return parsed.value;
  };

/** Whole numbers of flags that are not settings (ids, ports). */
export const WHOLE = { min: 0, max: Number.MAX_SAFE_INTEGER, integer: true };
export const PORT = { min: 0, max: 65535, integer: true };

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
export function settingOptions(keys: readonly RunSettingKey[]): Array<{ key: RunSettingKey; options: Option[] }> {
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

/** The settings every command that talks to the servers takes (`check` too); the rest are `solve`'s. */
const SERVER_SETTING_KEYS: readonly RunSettingKey[] = ['requestTimeoutSec'];
const SOLVE_SETTING_KEYS = RUN_SETTING_KEYS.filter((k) => !SERVER_SETTING_KEYS.includes(k));

const settingFlags = (keys: readonly RunSettingKey[]) => settingOptions(keys).flatMap(({ options }) => options);

/** The servers' options: their URLs and the settings of talking to them. */
export function serverOptions(): Option[] {
  return [
    new Option('--base-url <url>', 'base (large) model server, OpenAI-compatible with /v1').default(DEFAULT_BASE_URL),
    new Option('--small-url <url>', 'small (draft) model server').default(DEFAULT_SMALL_URL),
    new Option('--base-kind <kind>', 'engine of the base server (auto: ask it once)')
      .choices(SERVER_KIND_SETTINGS)
      .default('auto'),
    new Option('--small-kind <kind>', 'engine of the small server (auto: ask it once)')
      .choices(SERVER_KIND_SETTINGS)
      .default('auto'),
    ...settingFlags(SERVER_SETTING_KEYS),
  ];
}

/** Every option of `solve`, in its help's order. */
export function solveOptions(): Option[] {
  return [
    ...serverOptions(),
    new Option('--problem <text>', 'the problem text'),
    new Option('--problem-file <path>', 'read the problem from a file'),
    new Option('--base-model <name>', 'served model name (default: first id of /v1/models)'),
    new Option('--small-model <name>', 'served model name (default: first id of /v1/models)'),
    ...settingFlags(SOLVE_SETTING_KEYS),
    new Option('--mode <mode>', 'specreason, or base-only / small-only decoding')
      .choices(RUN_MODES)
      .default('specreason'),
    settingOption(
      HOST_SETTINGS.maxProblemLength,
      '--max-problem-length <n>',
      cliHelp(
        HOST_SETTINGS.maxProblemLength,
        'refuse longer problems (characters; the setting specreason.maxProblemLength)',
      ),
    ),
    new Option('--out <path>', 'write the run JSON here'),
    new Option('--json', 'print the run JSON on stdout'),
    new Option('-q, --quiet', 'no progress lines'),
    new Option('--dataset <file.jsonl>', 'problems, one JSON object a line (with --problem_id)'),
    new Option(
      '--problem_id <id>',
      'which problem of --dataset: its "id" field (string or number), else the line index',
    ),
    new Option('--repeat_id <n>', 'repeat number, names the output file').argParser(number('--repeat_id', WHOLE)),
    new Option('--output_dir <dir>', 'write DIR/<problem_id>/<repeat_id>.json, skipping runs that exist'),
  ];
}

/** Adds `solve`'s options to a command, but those named (by attribute name) in `except`. */
export function addSolveOptions(command: Command, except: ReadonlySet<string> = new Set()): Command {
  for (const option of solveOptions()) {
    if (!except.has(option.attributeName())) {
      command.addOption(option);
    }
  }
  return command;
}

/** What commander hands an action of a command with `solve`'s options. */
export interface RunFlags {
  problem?: string;
  problemFile?: string;
  baseUrl: string;
  smallUrl: string;
  baseModel?: string;
  smallModel?: string;
  baseKind?: ServerKindSetting;
  smallKind?: ServerKindSetting;
  mode?: string;
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

/** The validated run configuration of a command's flags; API keys come from the environment. */
export function configFrom(flags: RunFlags): SpecReasonConfig {
  const env = process.env;
  const config = makeConfig({
    base: {
      url: flags.baseUrl,
      model: flags.baseModel ?? '',
      kind: flags.baseKind ?? 'auto',
      apiKey: env.SPECREASON_BASE_API_KEY ?? env.SPECREASON_API_KEY ?? '',
    },
    small: {
      url: flags.smallUrl,
      model: flags.smallModel ?? '',
      kind: flags.smallKind ?? 'auto',
      apiKey: env.SPECREASON_SMALL_API_KEY ?? env.SPECREASON_API_KEY ?? '',
    },
    ...settingsFrom(flags),
  });
  const problems = validateConfig(config);
  if (problems.length > 0) {
    throw new UserError(problems.map((p) => p.message).join('\n'));
  }
  return config;
}
