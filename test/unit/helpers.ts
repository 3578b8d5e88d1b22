// Shared set-up for tests that talk to the simulated vLLM pair.

import assert from 'node:assert/strict';
import { makeConfig, type SpecReasonConfig } from '../../src/core/config';
import type { RunEvent, RunRecord } from '../../src/core/engine/runRecord';
import { runSpecReason, type RunOptions } from '../../src/core/engine/specReason';
import { startSimPair, type Scenario, type SimPair } from '../../src/sim/scenarios';
import type { RequestLogEntry } from '../../src/sim/simulatedVllm';

export type ConfigOverrides = Parameters<typeof makeConfig>[0];
/** The simulated pair's options (latency, faults, dialects). */
export type SimOptions = Parameters<typeof startSimPair>[1];

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

/** The problem the policy suites solve. */
export const PROBLEM = { text: 'What is 6 times 7?' };

/** What a scripted policy run left: its record and the requests each server received. */
export interface ScriptedRun {
  record: RunRecord;
  /** Chat requests, in arrival order. */
  base: RequestLogEntry[];
  small: RequestLogEntry[];
  /** Every request each server received (other routes too: /v1/completions, /v1/models). */
  baseLog: RequestLogEntry[];
  smallLog: RequestLogEntry[];
  /** The run's events, in order. */
  events: RunEvent[];
}

/**
 * Run PROBLEM with a step policy against a scripted simulated pair; resolves once both servers have settled
 * (no request left running). `options` carries the run's signal and event listener (cancel tests).
 */
export async function runScripted(
  scenario: Scenario,
  overrides: ConfigOverrides,
  sim: SimOptions = {},
  options: (pair: SimPair) => RunOptions = () => ({}),
): Promise<ScriptedRun> {
  return withPair(
    scenario,
    async (pair) => {
      const events: RunEvent[] = [];
      const own = options(pair);
      const record = await runSpecReason(PROBLEM, configFor(pair, overrides), {
        ...own,
        onEvent: (e) => {
          events.push(e);
          own.onEvent?.(e);
        },
      });
      await Promise.all([pair.base.settled(), pair.small.settled()]);
      return {
        record,
        events,
        base: chatRequests(pair.base.log),
        small: chatRequests(pair.small.log),
        baseLog: [...pair.base.log],
        smallLog: [...pair.small.log],
      };
    },
    sim,
  );
}

/** A run that is cancelled at the first event `when` of step `stepId` (e.g. mid-drafts: step-start). */
export function cancelAt(when: RunEvent['type'], stepId: number): () => RunOptions {
  return () => {
    const controller = new AbortController();
    return {
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === when && 'stepId' in e && e.stepId === stepId) {
          controller.abort();
        }
      },
    };
  };
}
