// `specreason demo`: the sample problem solved against a SIMULATED vLLM pair started for the purpose.

import type { Command } from 'commander';
import { DEMO_LATENCY, DEMO_PROBLEM, DEMO_SCENARIO, latencyProfile, startSimPair } from '../sim/scenarios';
import { solve } from './solve';

export function registerDemoCommand(program: Command): void {
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
}
