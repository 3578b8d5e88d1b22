// The demo's simulated latency shows the point: in a Compare on the demo problem, SpecReason's time on the
// simulated servers is lower than base-only decoding's. Arithmetic on the requests the servers logged (tokens
// prefilled, cached and generated) under the demo's latency model, plus a generous allowance for the client's
// own cost per request; the run itself goes at zero latency, and nothing here measures the machine's speed.

import assert from 'node:assert/strict';
import { runComparison } from '../../src/core/engine/comparison';
import {
  DEMO_LATENCY,
  DEMO_PROBLEM,
  DEMO_SCENARIO,
  demoPairHasScript,
  latencyProfile,
  type LatencyProfile,
} from '../../src/sim/scenarios';
import type { LatencyModel, RequestLogEntry } from '../../src/sim/simulatedVllm';
import { chatRequests, configFor, withPair } from './helpers';

/** The client's cost per request (HTTP through the openai SDK, parsing): measured below 1 ms (README, Performance). */
const CLIENT_MS_PER_REQUEST = 5;

/** Milliseconds a request keeps the server busy under a latency model (one request at a time: no slowdown). */
function modelledMs(e: RequestLogEntry, latency: LatencyModel): number {
  const uncached = (e.promptTokens ?? 0) - (e.cachedTokens ?? 0);
  return (
    latency.overheadMs + latency.prefillMsPerToken * uncached + latency.decodeMsPerToken * (e.completionTokens ?? 0)
  );
}

describe('the demo latency', () => {
  it('is realistic, the default of `specreason simulate` and simulated-vllm.js', () => {
    assert.equal(DEMO_LATENCY, 'realistic');
  });

  it('makes SpecReason faster than base-only in a compare of the demo problem on the simulated pair', async () => {
    await withPair(DEMO_SCENARIO, async (pair) => {
      const { records } = await runComparison({ text: DEMO_PROBLEM }, ['specreason', 'base'], configFor(pair));
      assert.deepEqual(
        records.map((r) => r.summary.answer),
        ['50', '50'],
      );
      // Sequential mode (the default): SpecReason's requests follow one another, so their times add up.
      const requests = [
        ...chatRequests(pair.base.log).map((e) => ({ e, role: 'base' as const })),
        ...chatRequests(pair.small.log).map((e) => ({ e, role: 'small' as const })),
      ];
      const wall = (profile: LatencyProfile, full: boolean) => {
        const latency = latencyProfile(profile);
        const mine = requests.filter(({ e }) => (e.kind === 'full') === full);
        return mine.reduce((ms, { e, role }) => ms + modelledMs(e, latency[role]) + CLIENT_MS_PER_REQUEST, 0);
      };
      const spec = wall(DEMO_LATENCY, false);
      const base = wall(DEMO_LATENCY, true);
      console.log(
        `      modelled wall time at ${DEMO_LATENCY} latency: SpecReason ${spec.toFixed(0)} ms, base-only ${base.toFixed(0)} ms (×${(base / spec).toFixed(2)})`,
      );
      assert.ok(spec * 1.4 < base, `SpecReason (${spec} ms) at least 1.4× faster than base-only (${base} ms)`);
      // What the demo used to do: at 0.1× the client's per-request cost eats the speedup.
      assert.ok(wall('scaled', false) > wall('scaled', true) / 1.2);
    });
  });

  it('the simulated pair has a script for the demo problem only (however it is spaced or headed)', () => {
    assert.equal(demoPairHasScript(DEMO_PROBLEM), true);
    assert.equal(demoPairHasScript(`## Problem\n\n${DEMO_PROBLEM.replace(/ /g, '\n')}\n`), true);
    assert.equal(
      demoPairHasScript('A square has a perimeter of 36 cm. What is its area in square centimetres?'),
      false,
    );
  });
});
