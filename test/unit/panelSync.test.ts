// The host/webview handshake of the reasoning panel, without VS Code: the host's batcher and the
// webview's mirror exchange messages through two in-order channels, in every interleaving we try.

import assert from 'node:assert/strict';
import type { RunEvent, RunRecord, StepRecord } from '../../src/core/engine/runRecord';
import { EventBatcher, PanelMirror } from '../../src/shared/panelSync';
import {
  newPanelRun,
  PROTOCOL_VERSION,
  type PanelRun,
  type PanelState,
  type ToWebview,
} from '../../src/shared/protocol';

function stepRecord(stepId: number): StepRecord {
  return {
    step_id: stepId,
    step_str: `step ${stepId}`,
    origin: 'small',
    score: 9,
    final_num_output_tokens: 3,
    timings: { stepMs: 10, startedAt: 0, endedAt: 10 },
  } as unknown as StepRecord;
}

/** A SpecReason run's events: per step a start, streamed deltas, the draft, its score and the record. */
function runEvents(steps: number): RunEvent[] {
  const events: RunEvent[] = [];
  for (let stepId = 0; stepId < steps; stepId++) {
    events.push({ type: 'step-start', stepId, origin: 'draft' });
    for (const text of ['a', 'b', 'c']) {
      events.push({ type: 'delta', stepId, model: 'small', phase: 'draft', text });
    }
    events.push({ type: 'draft-done', stepId, text: 'abc', tokens: 3, ms: 5 });
    events.push({
      type: 'score',
      stepId,
      score: 9,
      accepted: true,
      threshold: 7,
      method: 'greedy',
      topLogprobs: [],
      ms: 1,
    });
    events.push({ type: 'step-done', record: stepRecord(stepId) });
  }
  const summary = { mode: 'specreason', stopReason: 'finished', steps, answer: '42' };
  const records = Array.from({ length: steps }, (_, i) => stepRecord(i));
  events.push({
    type: 'run-done',
    record: { runId: 'r', summary, steps: records, models: {} } as unknown as RunRecord,
  });
  return events;
}

function initialState(runIds: string[]): PanelState {
  return {
    protocolVersion: PROTOCOL_VERSION,
    kind: runIds.length > 1 ? 'compare' : 'solve',
    problem: { text: 'p' },
    runs: runIds.map((id, i) => newPanelRun(id, i === 0 ? 'specreason' : 'base', 7, 'greedy', 0)),
    tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 100, firstNBaseSteps: 0, target: 'user' },
  };
}

/** Deterministic pseudo-random numbers (mulberry32), so every failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The host panel and its webview as ReasoningPanel and main.ts wire them, with the transport made
 * explicit: posts travel in order, and a webview that has not loaded yet loses them (or, with
 * `bufferBeforeLoad`, receives them on load, as VS Code does for a webview being created).
 */
class Rig {
  readonly host: PanelState;
  private readonly _batcher = new EventBatcher();
  private readonly _toView: ToWebview[] = [];
  private readonly _toHost: Array<'ready'> = [];
  view?: PanelMirror;
  readonly remaining: Map<string, RunEvent[]>;
  readies = 0;

  constructor(
    runIds: string[],
    steps: number,
    private readonly _bufferBeforeLoad = false,
  ) {
    this.host = initialState(runIds);
    this.remaining = new Map(runIds.map((id) => [id, runEvents(steps)]));
  }

  /** Host: the engine emitted the next event of a run (the last one flushes at once, as in ReasoningPanel). */
  emit(runId: string): boolean {
    const event = this.remaining.get(runId)?.shift();
    if (!event) {
      return false;
    }
    this._batcher.push(
      this.host.runs.find((r) => r.runId === runId)!,
      event,
    );
    if (event.type === 'run-done') {
      this.flush();
    }
    return true;
  }
  /** Host: the batch timer fired. */
  flush(): void {
    for (const m of this._batcher.take()) {
      this._post(m);
    }
  }
  private _post(message: ToWebview): void {
    if (this.view || this._bufferBeforeLoad) {
      this._toView.push(structuredClone(message));
    }
  }
  /** Webview: (re)load; it shows what it persisted (possibly stale) and says it is ready. */
  load(saved?: PanelState): void {
    this.view = new PanelMirror(saved && structuredClone(saved));
    this._toHost.push('ready');
  }
  /** Deliver the oldest message in one direction; false when there is none. */
  deliverToView(): boolean {
    const message = this._toView.shift();
    if (!message || !this.view) {
      return false;
    }
    if (this.view.receive(message) === 'resync') {
      this._toHost.push('ready');
    }
    return true;
  }
  deliverToHost(): boolean {
    if (!this._toHost.shift()) {
      return false;
    }
    this.readies++;
    this._post(this._batcher.snapshot(this.host));
    return true;
  }
  /** Let everything settle: every event emitted and flushed, every message delivered. */
  drain(): void {
    for (const runId of this.remaining.keys()) {
      while (this.emit(runId)) {
        /* all of it */
      }
    }
    this.flush();
    while (this.deliverToHost() || this.deliverToView()) {
      /* until both channels are empty */
    }
  }
  assertInStep(label: string): void {
    const mirror = this.view?.state;
    assert.ok(mirror, `${label}: the webview has a state`);
    for (const run of this.host.runs) {
      const mirrored: PanelRun | undefined = mirror.runs.find((r) => r.runId === run.runId);
      assert.ok(mirrored, `${label}: run ${run.runId} reached the webview`);
      assert.deepEqual(
        mirrored.steps.map((s) => s.step_id),
        run.steps.map((s) => s.step_id),
        `${label}: every step once, in order`,
      );
      assert.deepEqual(mirrored, run, `${label}: the webview's run equals the host's`);
    }
  }
}

describe('panel sync: host batches and webview snapshot', () => {
  it('ready while a batch is queued: the snapshot holds those events and they are not sent again', () => {
    const rig = new Rig(['r'], 4);
    rig.load();
    rig.deliverToHost(); // the first snapshot: an empty run
    rig.deliverToView();
    // A webview reload (the panel was hidden and shown): it asks for the state while step 0 ends in
    // the queue — the sequence that showed a step twice.
    for (let i = 0; i < 7; i++) {
      rig.emit('r');
    }
    rig.load(rig.view?.state);
    rig.deliverToHost();
    rig.flush();
    while (rig.deliverToView()) {
      /* the snapshot, then nothing left of the queue */
    }
    assert.deepEqual(
      rig.view?.state?.runs[0]?.steps.map((s) => s.step_id),
      [0],
    );
    rig.drain();
    rig.assertInStep('after the run');
    assert.equal(rig.host.runs[0]!.steps.length, 4);
  });

  it('a webview restored from a stale saved state applies only the part of a batch it lacks', () => {
    const rig = new Rig(['r'], 2, true);
    rig.load();
    rig.deliverToHost();
    rig.deliverToView();
    for (let i = 0; i < 2; i++) {
      rig.emit('r');
    }
    rig.flush();
    rig.deliverToView();
    const saved = structuredClone(rig.view!.state!); // persisted with events 0–1
    for (let i = 0; i < 4; i++) {
      rig.emit('r');
    }
    rig.flush(); // events 2–5 on their way when the webview reloads from its saved state
    rig.load(saved);
    rig.deliverToView();
    assert.equal(rig.view?.state?.runs[0]?.eventsApplied, 6);
    rig.drain();
    rig.assertInStep('after the run');
  });

  it('a run that already holds a batch applies only its new part, and a gap asks for a snapshot', () => {
    const events = runEvents(2);
    const state = initialState(['r']);
    const mirror = new PanelMirror();
    assert.equal(mirror.receive({ type: 'run/didUpdate', runId: 'r', from: 0, events }), 'none', 'no state yet');
    assert.equal(mirror.receive({ type: 'session/snapshot', state: structuredClone(state) }), 'render');
    assert.equal(mirror.receive({ type: 'run/didUpdate', runId: 'r', from: 0, events: events.slice(0, 7) }), 'render');
    // The same events again (a batch queued when the snapshot was taken), plus two new ones.
    assert.equal(mirror.receive({ type: 'run/didUpdate', runId: 'r', from: 0, events: events.slice(0, 9) }), 'render');
    assert.equal(mirror.state?.runs[0]?.eventsApplied, 9);
    assert.deepEqual(
      mirror.state?.runs[0]?.steps.map((s) => s.step_id),
      [0],
    );
    assert.equal(mirror.receive({ type: 'run/didUpdate', runId: 'r', from: 3, events: events.slice(3, 9) }), 'none');
    assert.equal(
      mirror.receive({ type: 'run/didUpdate', runId: 'r', from: 10, events: events.slice(10) }),
      'resync',
      'event 9 never arrived',
    );
    assert.equal(mirror.state?.runs[0]?.eventsApplied, 9, 'nothing applied past a gap');
  });

  it('a restart of a run already shown is not applied twice', () => {
    const mirror = new PanelMirror();
    const state = initialState(['r']);
    mirror.receive({ type: 'session/snapshot', state });
    const again = newPanelRun('r', 'specreason', 7, 'greedy', 0);
    assert.equal(mirror.receive({ type: 'run/didStart', run: again }), 'none');
    assert.equal(
      mirror.receive({ type: 'run/didStart', run: newPanelRun('s', 'specreason', 7, 'greedy', 0) }),
      'render',
    );
    assert.deepEqual(
      mirror.state?.runs.map((r) => r.runId),
      ['s'],
    );
  });

  it("a comparison's later rounds are added after the runs of the earlier ones, as the host keeps them", () => {
    const mirror = new PanelMirror();
    mirror.receive({
      type: 'session/snapshot',
      state: {
        ...initialState([]),
        kind: 'compare',
        runs: [newPanelRun('s1', 'specreason', 7, 'greedy', 0), newPanelRun('b1', 'base', 7, 'greedy', 0)],
      },
    });
    for (const [id, mode] of [
      ['s2', 'specreason'],
      ['b2', 'base'],
    ] as const) {
      assert.equal(mirror.receive({ type: 'run/didStart', run: newPanelRun(id, mode, 7, 'greedy', 0) }), 'render');
    }
    assert.deepEqual(
      mirror.state?.runs.map((r) => r.runId),
      ['s1', 'b1', 's2', 'b2'],
    );
  });

  for (const bufferBeforeLoad of [false, true]) {
    it(`every interleaving tried applies each event once (${bufferBeforeLoad ? 'posts buffered until load' : 'posts lost before load'})`, () => {
      for (let seed = 1; seed <= 400; seed++) {
        const random = prng(seed);
        const runIds = seed % 2 ? ['r'] : ['spec', 'base'];
        const rig = new Rig(runIds, 6, bufferBeforeLoad);
        const loadAt = Math.floor(random() * 40);
        let reloads = Math.floor(random() * 3);
        for (let tick = 0; tick < 400; tick++) {
          if (tick === loadAt) {
            rig.load();
          }
          const r = random();
          if (r < 0.45) {
            rig.emit(runIds[Math.floor(random() * runIds.length)]!);
          } else if (r < 0.6) {
            rig.flush();
          } else if (r < 0.8) {
            rig.deliverToView();
          } else if (r < 0.97) {
            rig.deliverToHost();
          } else if (rig.view && reloads > 0) {
            reloads--;
            rig.load(random() < 0.5 ? rig.view.state : undefined); // a reload with a (stale) saved state
          }
        }
        if (!rig.view) {
          rig.load();
        }
        rig.drain();
        rig.assertInStep(`seed ${seed}`);
        assert.ok(rig.readies >= 1);
      }
    });
  }
});
