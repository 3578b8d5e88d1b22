// Whether the servers are the project's simulated pair: the panels then carry the SIMULATED badge.

import type { SpecReasonConfig } from '../core/config';
import { createClients } from '../core/llm/factory';
import { SIMULATOR_OWNER } from '../core/llm/server';

/** True when either server's model is owned by the simulator (its /v1/models says so). */
export async function serversAreSimulated(config: SpecReasonConfig, signal?: AbortSignal): Promise<boolean> {
  const clients = createClients(config);
  const models = await Promise.allSettled([clients.base.model(signal), clients.small.model(signal)]);
  return models.some((m) => m.status === 'fulfilled' && m.value.ownedBy === SIMULATOR_OWNER);
}
