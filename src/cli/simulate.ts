// `specreason simulate`: the SIMULATED vLLM pair (scripted replies) until Ctrl+C, for trying the extension
// without GPUs.

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
import { EXIT } from './errors';
import { number, PORT } from './options';

interface SimulateFlags {
  basePort: number;
  smallPort: number;
  latency: LatencyProfile;
}

export function registerSimulateCommand(program: Command): void {
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
    .action(async (flags: SimulateFlags) => {
      process.exitCode = await simulate(flags);
    });
}

async function simulate(flags: SimulateFlags): Promise<number> {
  const latency = latencyProfile(flags.latency);
  const pair = await startSimPair(DEMO_SCENARIO, {
    latency,
    ports: { base: flags.basePort, small: flags.smallPort },
    ...demoPairOptions(),
  });
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
