// `specreason check`: both servers' health, served model, max_model_len, version and round trip.

import { Command } from 'commander';
import { createClients } from '../core/llm/factory';
import { EXIT } from './errors';
import { configFrom, serverOptions, type RunFlags } from './options';
import { stripControlSequences, writeOut } from './terminal';
import { printUrlHints } from './urlHint';

export function registerCheckCommand(program: Command): void {
  const command = program.command('check').description('check both servers: health, model, max_model_len, version');
  serverOptions().forEach((o) => command.addOption(o));
  command.action(async (flags: RunFlags) => {
    process.exitCode = await check(flags);
  });
}

async function check(flags: RunFlags): Promise<number> {
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
  return ok ? EXIT.ok : EXIT.failed;
}
