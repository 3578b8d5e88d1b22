// `specreason simulate`: the SIMULATED vLLM pair (scripted replies) until Ctrl+C, for trying the extension
// without GPUs; --dialect answers as SGLang, llama-server, Ollama or a hosted OpenAI-compatible provider do (src/sim/dialects.ts).

import { Option, type Command } from 'commander';
import {
  DEMO_LATENCY,
  DEMO_SCENARIO,
  demoPairOptions,
  LATENCY_PROFILES,
  latencyProfile,
  startSimPair,
  type LatencyProfile,
} from '../sim/scenarios';
import { SIM_DIALECTS, type SimDialect } from '../sim/dialects';
import { EXIT } from './errors';
import { number, PORT } from './options';

interface SimulateFlags {
  basePort: number;
  smallPort: number;
  latency: LatencyProfile;
  dialect: SimDialect;
  smallDialect?: SimDialect;
}

/** What each simulated engine is called. */
const DIALECT_NAMES: Record<SimDialect, string> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  'llama-server': 'llama-server',
  ollama: 'Ollama',
  openai: 'OpenAI-compatible provider',
};

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description(
      'run the SIMULATED vLLM pair (scripted replies) until Ctrl+C, for trying the extension without GPUs; --dialect answers as SGLang, llama-server, Ollama or a hosted provider (/v1/completions) do',
    )
    .option('--base-port <n>', 'port of the simulated base model', number('--base-port', PORT), 30000)
    .option('--small-port <n>', 'port of the simulated small model', number('--small-port', PORT), 30001)
    .addOption(
      new Option('--latency <model>', "zero, scaled (0.1× realistic) or realistic (the demo's)")
        .choices(LATENCY_PROFILES)
        .default(DEMO_LATENCY),
    )
    .addOption(
      new Option('--dialect <engine>', 'answer as this engine does (its paths, reply shapes and errors)')
        .choices(SIM_DIALECTS)
        .default('vllm'),
    )
    .addOption(
      new Option('--small-dialect <engine>', 'the small server answers as this engine instead (a mixed pair)').choices(
        SIM_DIALECTS,
      ),
    )
    .action(async (flags: SimulateFlags) => {
      process.exitCode = await simulate(flags);
    });
}

async function simulate(flags: SimulateFlags): Promise<number> {
  const latency = latencyProfile(flags.latency);
  const dialects = { base: flags.dialect, small: flags.smallDialect ?? flags.dialect };
  const demo = demoPairOptions();
  const pair = await startSimPair(DEMO_SCENARIO, {
    latency,
    ports: { base: flags.basePort, small: flags.smallPort },
    base: { ...demo.base, dialect: dialects.base },
    small: { ...demo.small, dialect: dialects.small },
  });
  const line = (role: 'base' | 'small') => {
    const server = pair[role];
    return `  ${role.padEnd(5)} ${server.userUrl}  (${server.options.model}, simulated ${DIALECT_NAMES[dialects[role]]})`;
  };
  const name =
    dialects.base === dialects.small
      ? `${DIALECT_NAMES[dialects.base]} pair`
      : `pair (base ${DIALECT_NAMES[dialects.base]}, small ${DIALECT_NAMES[dialects.small]})`;
  process.stdout.write(
    `SIMULATED ${name} (scripted replies, not real models):\n${line('base')}\n${line('small')}\nCtrl+C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await pair.stop();
  return EXIT.ok;
}
