// The host/webview protocol's pure code in Node: message validation (the webview is untrusted) and the
// event reducer both sides use to build a panel run.

import assert from 'node:assert/strict';
import { runSpecReason } from '../../src/core/engine/specReason';
import type { RunEvent, RunRecord } from '../../src/core/engine/runRecord';
import {
  applyRunEvent,
  comparisonRounds,
  newPanelRun,
  parseFromWebview,
  type FromWebview,
} from '../../src/shared/protocol';
import { configFor, numbered, withPair } from './helpers';

describe('parseFromWebview', () => {
  const valid: FromWebview[] = [
    { type: 'webview/ready', protocolVersion: 1 },
    { type: 'run/cancel' },
    { type: 'run/rerun' },
    { type: 'run/rerun', rounds: 3 },
    { type: 'run/rerun', rounds: 20 },
    { type: 'settings/update', key: 'threshold', value: 8 },
    { type: 'settings/update', key: 'scoreMethod', value: 'average' },
    { type: 'settings/target', target: 'workspace' },
    { type: 'export/json' },
    { type: 'export/markdown' },
    { type: 'command/run', command: 'showLog' },
    { type: 'webview/cspViolation', directive: 'img-src', blocked: 'https://example.com/x.png' },
  ];
  for (const message of valid) {
    it(`accepts ${JSON.stringify(message)}`, () => {
      assert.deepEqual(parseFromWebview(message), message);
    });
  }

  it('keeps only the fields of the message type (extra fields are dropped)', () => {
    assert.deepEqual(parseFromWebview({ type: 'run/cancel', command: 'rm -rf' }), { type: 'run/cancel' });
    assert.deepEqual(parseFromWebview({ type: 'settings/update', key: 'threshold', value: 3, target: 'x' }), {
      type: 'settings/update',
      key: 'threshold',
      value: 3,
    });
  });

  const invalid: unknown[] = [
    null,
    undefined,
    42,
    'run/cancel',
    [],
    {},
    { type: 'nope' },
    { type: 'webview/ready' },
    { type: 'webview/ready', protocolVersion: '1' },
    { type: 'settings/update', key: 'server.baseUrl', value: 'http://evil' },
    { type: 'settings/update', key: 'threshold', value: { n: 1 } },
    { type: 'settings/update', key: 'threshold' },
    { type: 'settings/target', target: 'folder' },
    { type: 'command/run', command: 'workbench.action.terminal.new' },
    { type: 'webview/cspViolation', directive: 'img-src' },
    { type: 'run/rerun', rounds: 0 },
    { type: 'run/rerun', rounds: 21 },
    { type: 'run/rerun', rounds: 2.5 },
    { type: 'run/rerun', rounds: '3' },
    { type: 'toString' },
  ];
  for (const message of invalid) {
    it(`drops ${JSON.stringify(message) ?? String(message)}`, () => {
      assert.equal(parseFromWebview(message), undefined);
    });
  }
});

describe('applyRunEvent', () => {
  const run = () => newPanelRun('r1', 'specreason', 7, 'greedy', 0);

  it("replaying a real run's events gives its steps, summary and status", () =>
    withPair(numbered(4, [9, 2, 9, 9]), async (pair) => {
      const events: RunEvent[] = [];
      const record = await runSpecReason({ text: 'What is 1 + 1?' }, configFor(pair), {
        onEvent: (e) => events.push(e),
      });
      const panelRun = run();
      for (const event of events) {
        applyRunEvent(panelRun, event);
      }
      assert.deepEqual(panelRun.steps, record.steps);
      assert.deepEqual(panelRun.summary, record.summary);
      assert.equal(panelRun.status, 'finished');
      assert.equal(panelRun.live, undefined, 'no step left half-shown');
      assert.equal(panelRun.steps[1]!.origin, 'base-fallback');
    }));

  it('the live step: draft text, scoring, the score, the fallback text, then the finished step', () => {
    const r = run();
    applyRunEvent(r, { type: 'step-start', stepId: 0, origin: 'draft' });
    applyRunEvent(r, { type: 'delta', stepId: 0, model: 'small', phase: 'draft', text: 'Let ' });
    applyRunEvent(r, { type: 'delta', stepId: 0, model: 'small', phase: 'draft', text: 'x = 2.' });
    assert.deepEqual(r.live, { stepId: 0, phase: 'drafting', draft: 'Let x = 2.', base: '' });
    applyRunEvent(r, { type: 'delta', stepId: 5, model: 'small', phase: 'draft', text: 'stale' });
    assert.equal(r.live?.draft, 'Let x = 2.', "another step's delta is ignored");
    applyRunEvent(r, { type: 'draft-done', stepId: 0, text: 'Let x = 2.', tokens: 5, ms: 3 });
    assert.equal(r.live?.phase, 'scoring');
    const score = { type: 'score', stepId: 0, score: 2, accepted: false, threshold: 7, method: 'greedy' } as const;
    applyRunEvent(r, { ...score, topLogprobs: [], ms: 1 });
    assert.deepEqual(r.live?.score, { value: 2, accepted: false });
    applyRunEvent(r, { type: 'fallback-start', stepId: 0 });
    applyRunEvent(r, { type: 'delta', stepId: 0, model: 'base', phase: 'fallback', text: 'Let x = 3.' });
    assert.equal(r.live?.phase, 'fallback');
    assert.equal(r.live?.base, 'Let x = 3.');
  });

  it('a forced step and a baseline start in their own phases', () => {
    const r = run();
    applyRunEvent(r, { type: 'step-start', stepId: 0, origin: 'base-forced' });
    assert.equal(r.live?.phase, 'forced');
    applyRunEvent(r, { type: 'step-start', stepId: 1, origin: 'baseline' });
    applyRunEvent(r, { type: 'delta', stepId: 1, model: 'small', phase: 'baseline', text: 'all of it' });
    assert.equal(r.live?.phase, 'baseline');
    assert.equal(r.live?.base, 'all of it', "a baseline's text goes in the base box, whichever model");
  });

  it('a cancelled or failed run keeps its partial step; the error is kept', () => {
    for (const stopReason of ['cancelled', 'error'] as const) {
      const r = run();
      applyRunEvent(r, { type: 'step-start', stepId: 0, origin: 'draft' });
      applyRunEvent(r, { type: 'delta', stepId: 0, model: 'small', phase: 'draft', text: 'half a step' });
      const error = stopReason === 'error' ? { code: 'server_down' as const, message: 'no server' } : undefined;
      if (error) {
        applyRunEvent(r, { type: 'error', error });
      }
      const record = { summary: { mode: 'specreason', stopReason, error } } as unknown as RunRecord;
      applyRunEvent(r, { type: 'run-done', record });
      assert.equal(r.status, stopReason === 'cancelled' ? 'cancelled' : 'error');
      assert.equal(r.live?.draft, 'half a step');
      assert.deepEqual(r.error, error);
    }
  });
});

describe('comparisonRounds', () => {
  it("groups a comparison's runs by round: the k-th run of each mode is round k", () => {
    const runs = ['specreason', 'base', 'small', 'specreason', 'base', 'small', 'specreason'].map((mode, i) => ({
      mode: mode as 'specreason' | 'base' | 'small',
      i,
    }));
    assert.deepEqual(
      comparisonRounds(runs).map((round) => round.map((r) => r.i)),
      [[0, 1, 2], [3, 4, 5], [6]],
    );
    assert.deepEqual(comparisonRounds([]), []);
  });

  it('tells policies apart: several runs of the SpecReason loop are one mode each (issue 21)', () => {
    const keys = ['specreason', 'first-token', 'base', 'specreason', 'first-token', 'base'] as const;
    const runs = keys.map((key, i) =>
      key === 'base'
        ? { mode: 'base' as const, i }
        : { mode: 'specreason' as const, ...(key === 'specreason' ? {} : { policy: key }), i },
    );
    assert.deepEqual(
      comparisonRounds(runs).map((round) => round.map((r) => r.i)),
      [
        [0, 1, 2],
        [3, 4, 5],
      ],
    );
  });
});
