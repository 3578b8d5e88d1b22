// Shared set-up for tests that talk to the simulated vLLM pair.

import assert from 'node:assert/strict';
import { makeConfig, type SpecReasonConfig } from '../../src/core/config';
import type { RunEvent } from '../../src/core/engine/runRecord';
import { startSimPair, type Scenario, type SimPair } from '../../src/sim/scenarios';
import type { RequestLogEntry } from '../../src/sim/simulatedVllm';

export type ConfigOverrides = Parameters<typeof makeConfig>[0];

export async function withPair<T>(
  scenario: Scenario,
  fn: (pair: SimPair) => Promise<T>,
  options: Parameters<typeof startSimPair>[1] = {},
): Promise<T> {
  const pair = await startSimPair(scenario, options);
  try {
    return await fn(pair);
  } finally {
    await pair.stop();
  }
}

export function configFor(pair: SimPair, overrides: ConfigOverrides = {}): SpecReasonConfig {
  return makeConfig({
    requestTimeoutSec: 5,
    maxRetries: 0,
    ...overrides,
    base: { url: pair.base.baseUrl, ...overrides?.base },
    small: { url: pair.small.baseUrl, ...overrides?.small },
  });
}

/** In a describe block: each test fails if a promise rejection went unhandled while it ran. */
export function failOnUnhandledRejections(): void {
  let unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  beforeEach(() => {
    unhandled = [];
    process.on('unhandledRejection', onUnhandled);
  });
  afterEach(() => {
    process.removeListener('unhandledRejection', onUnhandled);
    assert.deepEqual(unhandled, [], 'no unhandled promise rejections');
  });
}

/** Chat requests of one server, in arrival order. */
export function chatRequests(log: readonly RequestLogEntry[]): RequestLogEntry[] {
  return log.filter((e) => e.path === '/v1/chat/completions');
}

export function collect(): { events: RunEvent[]; onEvent: (e: RunEvent) => void } {
  const events: RunEvent[] = [];
  return { events, onEvent: (e) => events.push(e) };
}

/** A scenario of n steps where step i of each model is tagged with the model and index. */
export function numbered(n: number, scores: number[] = [], finalStep = 'So the answer is $\\boxed{42}$.'): Scenario {
  const make = (who: string) =>
    Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `${who}: ${finalStep}` : `${who} step ${i}: we compute ${i} + ${i} = ${2 * i}.`,
    );
  return { small: make('small'), base: make('base'), scores };
}
