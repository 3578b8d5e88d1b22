// `specreason check`: both servers' engine, health, served model, max_model_len, version and round trip,
// whether the base model can score (one real score request: scoringCheck.ts); with --deep, the conformance
// probe of each (checkDeep.ts).

import { Command } from 'commander';
import { policyBlocker, policyParams } from '../core/engine/policies';
import { scoringProblem } from '../core/engine/scoringCheck';
import { createClients } from '../core/llm/factory';
import { SERVER_KIND_NAMES, type ServerKind } from '../core/llm/server';
import { deepCheck } from './checkDeep';
import { EXIT } from './errors';
import { configFrom, serverOptions, settingOptions, solveOptions, type RunFlags } from './options';
import { stripControlSequences, writeOut } from './terminal';
import { printUrlHints } from './urlHint';

export function registerCheckCommand(program: Command): void {
  const command = program
    .command('check')
    .description(
      'check both servers: engine, health, model, max_model_len, version, and that the base model can score',
    );
  [...serverOptions(), ...settingOptions(['scoreMethod', 'stepPolicy']).flatMap(({ options }) => options)].forEach(
    (o) => command.addOption(o),
  );
  // What the probe needs besides the URLs: the served models (Ollama serves several) and the budget.
  const forProbe = new Set(['baseModel', 'smallModel', 'tokenBudget', 'stepMaxTokens']);
  solveOptions()
    .filter((o) => forProbe.has(o.attributeName()))
    .forEach((o) => command.addOption(o));
  command.option(
    '--deep',
    'also probe each server: a continuation of a prefilled reply, the one-token score with top logprobs, the context against the budget, prefix caching; a report to paste in a bug report (exit 1 when a check fails)',
  );
  command.action(async (flags: RunFlags & { deep?: boolean }) => {
    process.exitCode = await check(flags);
  });
}

async function check(flags: RunFlags & { deep?: boolean }): Promise<number> {
  const config = configFrom({ ...flags, mode: 'specreason', stream: true });
  const clients = createClients(config);
  let ok = true;
  const kinds: Partial<Record<'base' | 'small', ServerKind>> = {};
  for (const client of [clients.base, clients.small]) {
    const h = await client.health();
    kinds[client.role] = h.kind;
    // The base model must score: one real score request says what is missing before any run needs it.
    const scoring = h.ok && client.role === 'base' ? await scoringProblem(client, config.scoreMethod) : undefined;
    if (h.ok && h.models && !scoring) {
      const m = h.models[0];
      await writeOut(
        stripControlSequences(
          `${client.role.padEnd(5)} ${h.url}  ok  model ${m?.id ?? '?'}  max_model_len ${m?.maxModelLen ?? '?'}  ${SERVER_KIND_NAMES[h.kind ?? 'vllm']} ${h.version ?? '?'}  ${h.roundTripMs?.toFixed(1)} ms\n`,
        ),
      );
    } else if (scoring) {
      ok = false;
      await writeOut(
        stripControlSequences(
          `${client.role.padEnd(5)} ${h.url}  CANNOT SCORE  ${scoring.missing}\n      ${scoring.fix}\n`,
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
  // The step policy asked for (--policy): what a server cannot serve for it, before any run needs it.
  const policy = policyParams(config).policy;
  const blocked = ok ? policyBlocker(policy, kinds) : undefined;
  if (blocked) {
    await writeOut(stripControlSequences(`policy ${policy}  CANNOT RUN  ${blocked.message}\n`));
    return EXIT.failed;
  }
  if (!ok) {
    await printUrlHints(config);
  } else if (flags.deep) {
    await writeOut('\n');
    ok = await deepCheck(config, (text) => writeOut(stripControlSequences(text)));
  }
  return ok ? EXIT.ok : EXIT.failed;
}
