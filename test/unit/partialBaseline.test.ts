// A cancelled baseline keeps what it streamed: the text as a partial step, tokens estimated from the
// chunks (the server sends usage only at the end), and the panel shows that step like any other.

import assert from 'node:assert/strict';
import { runBaseline } from '../../src/core/engine/specReason';
import type { RunEvent } from '../../src/core/engine/runRecord';
import { applyRunEvent, newPanelRun } from '../../src/shared/protocol';
import { configFor, numbered, withPair } from './helpers';

describe('cancelled baseline', () => {
  it('keeps its streamed text and estimates its tokens from the chunks; the panel shows it as a step', () =>
    withPair(
      numbered(30),
      async (pair) => {
        const controller = new AbortController();
        const events: RunEvent[] = [];
        let deltas = 0;
        const record = await runBaseline('base', { text: 'q' }, configFor(pair), {
          signal: controller.signal,
          onEvent: (event) => {
            events.push(event);
            if (event.type === 'delta' && ++deltas === 20) {
              controller.abort();
            }
          },
        });
        assert.equal(record.summary.stopReason, 'cancelled');
        assert.equal(record.steps.length, 1);
        const step = record.steps[0]!;
        const streamed = events.filter((e) => e.type === 'delta').length;
        assert.equal(step.final_num_output_tokens, streamed, 'one token per streamed chunk');
        assert.equal(record.summary.base.tokens, streamed);
        assert.equal(record.summary.keptTokens, streamed);
        assert.match(step.warning ?? '', /estimated from the streamed chunks/);

        const run = newPanelRun(record.runId, 'base', 7, 'greedy', 0);
        for (const event of events) {
          applyRunEvent(run, event);
        }
        assert.equal(run.status, 'cancelled');
        assert.equal(run.steps.length, 1, 'the streamed text is a step in the panel');
        assert.equal(run.live, undefined, 'no longer shown as the untypeset live step');
      },
      { latency: { base: { prefillMsPerToken: 0, decodeMsPerToken: 5, overlapSlowdown: 0, overheadMs: 0 } } },
    ));
});
