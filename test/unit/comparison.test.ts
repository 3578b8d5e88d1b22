// The comparison policy (core/engine/comparison.ts) against the simulated pair, without VS Code: records in
// mode order, events routed to their run, placeholders for runs that never started, stop on error,
// cancellation.

import assert from 'node:assert/strict';
import { comparisonText, type Comparison } from '../../src/core/presentation/compareTable';
import {
  comparisonModes,
  comparisonPlan,
  comparisonRun,
  runComparison,
  runConfig,
  runRepeatedComparison,
  type ComparisonRun,
} from '../../src/core/engine/comparison';
import type { RunEvent } from '../../src/core/engine/runRecord';
import { makeConfig } from '../../src/core/config';
import { repeatedSpeedup } from '../../src/core/presentation/compareTable';
import { applyRunEvent, comparisonRounds, newPanelRun, policyFields, type PanelRun } from '../../src/shared/protocol';
import { chatRequests, configFor, numbered, withPair } from './helpers';

const PROBLEM = { text: 'What is 21 + 21?' };

function recorder() {
  const events: Array<{ event: RunEvent; run: ComparisonRun }> = [];
  return { events, onEvent: (event: RunEvent, run: ComparisonRun) => events.push({ event, run }) };
}

describe('comparison policy (core)', function () {
  this.timeout(20000);

  it('comparisonModes: SpecReason and base-only, plus small-only when asked', () => {
    assert.deepEqual(comparisonModes(false), ['specreason', 'base']);
    assert.deepEqual(comparisonModes(true), ['specreason', 'base', 'small']);
  });

  for (const order of ['sequential', 'concurrent'] as const) {
    it(`${order}: one record per mode in mode order, each run's events under its own id, the comparison`, () =>
      withPair(numbered(3, [9, 2, 9]), async (pair) => {
        const { events, onEvent } = recorder();
        const { records, comparison } = await runComparison(PROBLEM, ['specreason', 'base', 'small'], configFor(pair), {
          order,
          runIds: ['r-spec', 'r-base', 'r-small'],
          onEvent,
        });
        assert.deepEqual(
          records.map((r) => [r.mode, r.runId, r.summary.stopReason, r.summary.answer]),
          [
            ['specreason', 'r-spec', 'finished', '42'],
            ['base', 'r-base', 'finished', '42'],
            ['small', 'r-small', 'finished', '42'],
          ],
        );
        for (const { event, run } of events) {
          if (event.type === 'run-start' || event.type === 'run-done') {
            const id = event.type === 'run-start' ? event.runId : event.record.runId;
            assert.equal(id, run.runId, `${event.type} reported under its own run`);
          }
        }
        assert.deepEqual(
          events
            .filter((e) => e.event.type === 'run-done')
            .map((e) => e.run.mode)
            .sort(),
          ['base', 'small', 'specreason'],
        );
        assert.equal(comparison.rows.length, 3);
        assert.equal(comparison.answersAgree, true);
        assert.ok(comparison.speedup !== undefined && comparison.speedup > 0);
        if (order === 'sequential') {
          // One after the other: each run starts after the previous one ended.
          const done = events.filter((e) => e.event.type === 'run-start' || e.event.type === 'run-done');
          assert.deepEqual(
            done.map((e) => `${e.event.type}:${e.run.mode}`),
            [
              'run-start:specreason',
              'run-done:specreason',
              'run-start:base',
              'run-done:base',
              'run-start:small',
              'run-done:small',
            ],
          );
        }
      }));
  }

  it('sequential: a failing run stops the comparison; the runs after it end as cancelled placeholders', () =>
    withPair(numbered(3, [9, 9, 9]), async (pair) => {
      await pair.small.stop();
      const { events, onEvent } = recorder();
      const { records, comparison } = await runComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        onEvent,
      });
      assert.equal(records[0]!.summary.stopReason, 'error');
      assert.equal(records[0]!.summary.error?.code, 'server_down');
      const placeholder = records[1]!;
      assert.equal(placeholder.mode, 'base');
      assert.equal(placeholder.summary.stopReason, 'cancelled');
      assert.deepEqual(placeholder.steps, []);
      assert.equal(placeholder.prompt, '', 'nothing was sent for it');
      assert.equal(chatRequests(pair.base.log).length, 0, 'the base-only run never started');
      const baseEvents = events.filter((e) => e.run.mode === 'base').map((e) => e.event.type);
      assert.deepEqual(baseEvents, ['run-done'], 'the placeholder still ends, so no front end shows it running');
      assert.equal(comparison.speedup, undefined);
    }));

  it('concurrent: a failing run does not stop the others (they were already running)', () =>
    withPair(numbered(3, [9, 9, 9]), async (pair) => {
      await pair.small.stop();
      const { records } = await runComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        order: 'concurrent',
      });
      assert.deepEqual(
        records.map((r) => r.summary.stopReason),
        ['error', 'finished'],
      );
    }));

  it('cancelling mid-run: the running run keeps its partial trace, the rest are placeholders, nothing left open', () =>
    withPair(
      numbered(6, [9, 9, 9, 9, 9, 9]),
      async (pair) => {
        const controller = new AbortController();
        const { events, onEvent } = recorder();
        const { records } = await runComparison(PROBLEM, ['specreason', 'base', 'small'], configFor(pair), {
          signal: controller.signal,
          onEvent: (event, run) => {
            onEvent(event, run);
            if (event.type === 'step-done' && event.record.step_id === 1) {
              controller.abort();
            }
          },
        });
        assert.deepEqual(
          records.map((r) => [r.mode, r.summary.stopReason]),
          [
            ['specreason', 'cancelled'],
            ['base', 'cancelled'],
            ['small', 'cancelled'],
          ],
        );
        assert.ok(records[0]!.steps.length >= 2 && records[0]!.steps.length < 6, 'the partial trace is kept');
        assert.deepEqual(
          events.filter((e) => e.event.type === 'run-done').map((e) => e.run.mode),
          ['specreason', 'base', 'small'],
        );
        const full = [...chatRequests(pair.base.log), ...chatRequests(pair.small.log)].filter((e) => e.kind === 'full');
        assert.equal(full.length, 0, 'neither baseline sent a request');
        await pair.base.settled();
        await pair.small.settled();
        assert.equal(pair.base.openRequests().length + pair.small.openRequests().length, 0);
      },
      { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 2, overlapSlowdown: 0, overheadMs: 0 } } },
    ));

  it('a signal aborted before the start: every run is a placeholder and no request is sent', () =>
    withPair(numbered(2), async (pair) => {
      const controller = new AbortController();
      controller.abort();
      const { records } = await runComparison(PROBLEM, ['specreason', 'base'], configFor(pair), {
        signal: controller.signal,
      });
      assert.deepEqual(
        records.map((r) => r.summary.stopReason),
        ['cancelled', 'cancelled'],
      );
      assert.equal(chatRequests(pair.base.log).length + chatRequests(pair.small.log).length, 0);
    }));

  it("comparisonText: the panel's columns, one line per run, the speedup and whether the answers agree", () => {
    const row = (mode: 'specreason' | 'base', wallMs: number, acceptanceRate?: number) => ({
      mode,
      wallMs,
      ttftMs: 120,
      smallTokens: mode === 'specreason' ? 1500 : 0,
      baseTokens: 300,
      steps: 8,
      acceptanceRate,
      answer: '50',
      stopReason: 'finished' as const,
      wastedTokens: 0,
    });
    const comparison: Comparison = {
      rows: [row('specreason', 2000, 0.875), row('base', 3000)],
      speedup: 1.5,
      answersAgree: true,
    };
    const lines = comparisonText(comparison).split('\n');
    assert.match(
      lines[0]!,
      /^Run +Wall time +First token +Small tokens +Base tokens +Steps +Acceptance +Answer +Stop reason +Wasted tokens$/,
    );
    assert.match(lines[1]!, /^SpecReason +2\.00 s +120 ms +1,500 +300 +8 +87\.5% +50 +answer reached +0$/);
    assert.match(lines[2]!, /^Base only +3\.00 s +120 ms +0 +300 +8 +— +50 +answer reached +0$/);
    assert.ok(
      lines.includes('speedup vs base only: 1.50× faster (base-only wall time ÷ SpecReason wall time); answers agree'),
    );
    // Slower said in the panel's words too, and a dash when there is no speedup.
    const slower = comparisonText({ ...comparison, speedup: 0.571, answersAgree: false });
    assert.match(
      slower,
      /\nspeedup vs base only: 0\.57× — slower \(base-only wall time ÷ SpecReason wall time\); answers differ\n/,
    );
    assert.match(comparisonText({ ...comparison, speedup: undefined }), /\nspeedup vs base only: — \(/);
  });

  describe('any two or more modes, as the panel runs them (issue 21)', () => {
    it('comparisonPlan: the modes asked for run SpecReason’s own policy as `specreason`; none asked: the configured policy vs base', () => {
      const config = makeConfig({
        base: { url: 'http://127.0.0.1:1/v1' },
        small: { url: 'http://127.0.0.1:2/v1' },
        stepPolicy: 'self-check',
      });
      const asked = comparisonPlan(['specreason', 'first-token', 'base'], false, config);
      assert.deepEqual(asked.modes, ['specreason', 'first-token', 'base']);
      assert.equal(asked.config.stepPolicy, undefined, 'SpecReason’s own: the reference requests');
      assert.equal(config.stepPolicy, 'self-check', 'the caller’s config is not changed');
      const runs = asked.modes.map((m, i) => comparisonRun(m, `r${i}`));
      assert.deepEqual(
        runs.map((r) => [r.mode, r.policy, runConfig(r, asked.config).stepPolicy]),
        [
          ['specreason', undefined, undefined],
          ['specreason', 'first-token', 'first-token'],
          ['base', undefined, undefined],
        ],
      );
      const none = comparisonPlan([], true, config);
      assert.deepEqual(none.modes, ['specreason', 'base', 'small']);
      assert.equal(none.config.stepPolicy, 'self-check');
    });

    /** The host's fold: a panel run per mode and round, named by policy before it starts, events applied. */
    function panelFold(config: ReturnType<typeof configFor>) {
      const runs: PanelRun[] = [];
      const byId = new Map<string, PanelRun>();
      return {
        runs,
        onRound: (_round: number, started: readonly ComparisonRun[]) => {
          for (const r of started) {
            const run = newPanelRun(r.runId, r.mode, config.threshold, config.scoreMethod, Date.now());
            Object.assign(run, policyFields(r.mode, runConfig(r, config)));
            runs.push(run);
            byId.set(r.runId, run);
          }
        },
        onEvent: (event: RunEvent, r: ComparisonRun) => applyRunEvent(byId.get(r.runId)!, event),
      };
    }

    it('specreason, first-token and base, 3 rounds: each round groups the three by policy, each policy its own speedup', () =>
      withPair(numbered(3, [9, 2, 9]), async (pair) => {
        const plan = comparisonPlan(['specreason', 'first-token', 'base'], false, configFor(pair));
        const fold = panelFold(plan.config);
        const result = await runRepeatedComparison(PROBLEM, plan.modes, plan.config, {
          rounds: 3,
          warmUp: false,
          onRound: fold.onRound,
          onEvent: fold.onEvent,
        });
        assert.equal(result.rounds.length, 3);
        const rounds = comparisonRounds(fold.runs);
        assert.deepEqual(
          rounds.map((round) => round.map((r) => `${r.policy ?? r.mode}:${r.status}`)),
          Array.from({ length: 3 }, () => ['specreason:finished', 'first-token:finished', 'base:finished']),
        );
        assert.deepEqual(
          result.records.map((r) => r.summary.policy ?? r.mode),
          Array.from({ length: 3 }, () => ['specreason', 'first-token', 'base']).flat(),
        );
        // The panel's numbers from its own runs equal the engine's.
        const panel = repeatedSpeedup(rounds.map((round) => round.map((r) => r.summary!)));
        assert.deepEqual(Object.keys(panel.policies ?? {}).sort(), ['first-token', 'specreason']);
        assert.deepEqual(panel, result.speedup);
        for (const key of ['specreason', 'first-token'] as const) {
          assert.equal(panel.policies![key]!.samples.length, 3, `${key}: one speedup per round`);
          assert.ok(panel.policies![key]!.verdict !== undefined);
        }
        assert.equal(panel.wall.base?.samples, 3);
      }));

    it('cancelled in the second mode of round 2: round 1 whole, round 2 partial, no round 3, no mode counted twice', () =>
      withPair(
        numbered(6, [9, 9, 9, 9, 9, 9]),
        async (pair) => {
          const plan = comparisonPlan(['specreason', 'first-token', 'base'], false, configFor(pair));
          const fold = panelFold(plan.config);
          const controller = new AbortController();
          let round = 0;
          const result = await runRepeatedComparison(PROBLEM, plan.modes, plan.config, {
            rounds: 3,
            warmUp: false,
            signal: controller.signal,
            onRound: (r, runs) => {
              round = r;
              fold.onRound(r, runs);
            },
            onEvent: (event, r) => {
              fold.onEvent(event, r);
              if (round === 1 && r.policy === 'first-token' && event.type === 'step-done') {
                controller.abort();
              }
            },
          });
          assert.equal(result.rounds.length, 2);
          const rounds = comparisonRounds(fold.runs);
          assert.deepEqual(
            rounds.map((rs) => rs.map((r) => `${r.policy ?? r.mode}:${r.status}`)),
            [
              ['specreason:finished', 'first-token:finished', 'base:finished'],
              ['specreason:finished', 'first-token:cancelled', 'base:cancelled'],
            ],
          );
          assert.ok(rounds[1]![1]!.steps.length >= 1, 'the cancelled run keeps its partial trace');
          const speedup = repeatedSpeedup(rounds.map((rs) => rs.map((r) => r.summary!)));
          assert.equal(speedup.policies?.['first-token']?.samples.length, 1, 'only the completed round counts');
          assert.equal(speedup.wall.base?.samples, 1);
        },
        { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 2, overlapSlowdown: 0, overheadMs: 0 } } },
      ));
  });
});
