// Tab titles, progress text, the pin message and the run's own models: the pure parts of panel reuse (issue 12).

import assert from 'node:assert/strict';
import { progressText } from '../../src/core/presentation/format';
import type { RunEvent, RunSummary } from '../../src/core/engine/runRecord';
import { PanelMirror } from '../../src/shared/panelSync';
import { excerpt, panelTitle } from '../../src/shared/panelTitle';
import {
  applyRunEvent,
  newPanelRun,
  parseFromWebview,
  PROTOCOL_VERSION,
  type PanelRun,
  type PanelState,
} from '../../src/shared/protocol';

function finished(mode: PanelRun['mode'], answer?: string, status: PanelRun['status'] = 'finished'): PanelRun {
  const run = newPanelRun(`run-${mode}`, mode, 7, 'greedy', 0);
  run.status = status;
  run.summary = { answer } as RunSummary;
  return run;
}

describe('panel titles', () => {
  it('excerpt: one line, heading markers dropped, cut at a word with an ellipsis', () => {
    assert.equal(excerpt('## Problem\n\nWhat is  2 + 2?', 40), 'Problem What is 2 + 2?');
    assert.equal(excerpt('A rectangle has a perimeter of 30 cm and its length', 20), 'A rectangle has a…');
    assert.equal(excerpt('Supercalifragilisticexpialidocious', 10), 'Supercalif…');
    assert.equal(excerpt('   ', 10), '');
  });

  it('names the view, the start of the problem, then running / the answer / how it ended', () => {
    const problem = { text: 'A rectangle has a perimeter of 30 cm and its length is twice its width.' };
    const state = { kind: 'solve' as const, problem, runs: [] as PanelRun[] };
    assert.equal(panelTitle(state), 'Solve: A rectangle has a perimeter of…');
    const running = newPanelRun('r', 'specreason', 7, 'greedy', 0);
    assert.equal(panelTitle({ ...state, runs: [running] }), 'Solve: A rectangle has a perimeter of… (running)');
    assert.equal(
      panelTitle({ ...state, runs: [finished('specreason', '50')] }),
      'Solve: A rectangle has a perimeter of… → 50',
    );
    assert.equal(
      panelTitle({ ...state, runs: [finished('specreason', undefined, 'cancelled')] }),
      'Solve: A rectangle has a perimeter of… (cancelled)',
    );
    // Compare: SpecReason's answer, whatever the order of the runs; running while any run is.
    const compare = {
      kind: 'compare' as const,
      problem: { text: 'x + 1 = 3' },
      runs: [finished('base', '2'), finished('specreason', '2')],
    };
    assert.equal(panelTitle(compare), 'Compare: x + 1 = 3 → 2');
    compare.runs[0]!.status = 'running';
    assert.equal(panelTitle(compare), 'Compare: x + 1 = 3 (running)');
    assert.equal(panelTitle({ kind: 'solve', problem: { text: '' }, runs: [] }), 'SpecReason Solve');
  });
});

describe('progress notification text', () => {
  it('a solve counts its steps', () => {
    assert.equal(progressText([{ mode: 'specreason', steps: 1, done: false }]), '1 step');
    assert.equal(progressText([{ mode: 'specreason', steps: 8, done: true }]), '8 steps, done');
  });

  it("a comparison gives every run its own count, so one run's report never hides another's", () => {
    assert.equal(
      progressText([
        { mode: 'specreason', steps: 8, done: true },
        { mode: 'base', steps: 0, done: false },
      ]),
      'SpecReason 8 steps, done · Base only writing',
    );
    assert.equal(
      progressText([
        { mode: 'specreason', steps: 5, done: false },
        { mode: 'base', steps: 1, done: true },
        { mode: 'small', steps: 0, done: false },
      ]),
      'SpecReason 5 steps · Base only done · Small only writing',
    );
  });
});

describe('pin and run models in the protocol', () => {
  it('panel/pin is accepted with a boolean only', () => {
    assert.deepEqual(parseFromWebview({ type: 'panel/pin', pinned: true }), { type: 'panel/pin', pinned: true });
    assert.equal(parseFromWebview({ type: 'panel/pin', pinned: 'yes' }), undefined);
    assert.equal(parseFromWebview({ type: 'panel/pin' }), undefined);
  });

  it('panel/didPin sets the mirrored state and asks for a render', () => {
    const state: PanelState = {
      protocolVersion: PROTOCOL_VERSION,
      kind: 'solve',
      problem: { text: 'p' },
      runs: [],
      tuning: {} as PanelState['tuning'],
    };
    const mirror = new PanelMirror(state);
    assert.equal(mirror.receive({ type: 'panel/didPin', pinned: true }), 'render');
    assert.equal(mirror.state?.pinned, true);
    assert.equal(new PanelMirror().receive({ type: 'panel/didPin', pinned: true }), 'none');
  });

  it('run-start shows the configured models at once; the served ids replace them at the end', () => {
    const run = newPanelRun('r', 'specreason', 7, 'greedy', 0);
    const start = {
      type: 'run-start',
      runId: 'r',
      mode: 'specreason',
      problem: { text: 'p' },
      config: { threshold: 6, base: { model: 'Qwen/QwQ-32B' }, small: { model: '' } },
      startedAt: 1,
    } as unknown as RunEvent;
    applyRunEvent(run, start);
    assert.deepEqual(run.models, { base: 'Qwen/QwQ-32B' }, 'an empty (auto) model name is not shown');
    assert.equal(run.threshold, 6);
  });
});
