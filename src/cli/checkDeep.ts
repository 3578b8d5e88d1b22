// `specreason check --deep`: the conformance probe (src/core/llm/conformance.ts) against both servers, its
// report on stdout (plain text, to paste in a bug report); exit 1 when a check fails.

import type { SpecReasonConfig } from '../core/config';
import { conformanceFailed, conformanceReport, probeConformance } from '../core/llm/conformance';
import { createClients } from '../core/llm/factory';

/** Probe both roles; write the report; whether every check passed. */
export async function deepCheck(config: SpecReasonConfig, write: (text: string) => Promise<void>): Promise<boolean> {
  const clients = createClients(config);
  const signal = AbortSignal.timeout(Math.max(60_000, config.requestTimeoutSec * 4000));
  const roles = await Promise.all([clients.base, clients.small].map((c) => probeConformance(c, config, signal)));
  await write(`${conformanceReport(roles, { product: 'specreason CLI', node: process.version })}\n`);
  return !conformanceFailed(roles);
}
