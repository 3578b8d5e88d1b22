// Delivery of run events from the host to the panel, exactly once whatever the timing.
//
// The host folds every engine event into its authoritative state at once, and posts the events in
// batches a few ms later. A webview that (re)loads asks for the whole state ("ready") and may do so
// while a batch is still queued, or while batches are on their way. Two rules make that safe:
//  - every run counts the events folded into it (`eventsApplied`), and each batch says where in that
//    sequence it starts (`from`): the webview skips the events it already has and, on a gap, asks for
//    a new snapshot instead of guessing;
//  - a snapshot contains every queued event, so sending it drops the queue.
// Pure code (no VS Code, no DOM): the host panel and the webview both use it, and unit tests drive it.

import { applyRunEvent, type PanelRun, type PanelState, type ToWebview } from './protocol';
import type { RunEvent } from '../core/engine/runRecord';

/** Host side: queues the events of each run between flushes. */
export class EventBatcher {
  private readonly _pending = new Map<string, { from: number; events: RunEvent[] }>();

  get empty(): boolean {
    return this._pending.size === 0;
  }

  /** Fold the event into the host's run now; queue it for the webview. */
  push(run: PanelRun, event: RunEvent): void {
    const from = run.eventsApplied ?? 0;
    applyRunEvent(run, event);
    const batch = this._pending.get(run.runId) ?? { from, events: [] };
    batch.events.push(event);
    this._pending.set(run.runId, batch);
  }

  /** The queued events as one message per run; the queue is then empty. */
  take(): ToWebview[] {
    const messages: ToWebview[] = [];
    for (const [runId, { from, events }] of this._pending) {
      messages.push({ type: 'run/didUpdate', runId, from, events });
    }
    this._pending.clear();
    return messages;
  }

  /** The whole state for a (re)loaded webview. It already holds the queued events, so the queue is dropped. */
  snapshot(state: PanelState): ToWebview {
    this._pending.clear();
    return { type: 'session/snapshot', state };
  }
}

/** What the webview does after a message: draw again, only refresh the tuning strip, nothing, or ask for a snapshot. */
export type Receipt = 'render' | 'tuning' | 'none' | 'resync';

/** Webview side: the panel's copy of the state, kept in step with the host's. */
export class PanelMirror {
  /** False until the first snapshot since this webview loaded: until then a gap is expected, not an error. */
  private _synced = false;

  /** `saved`: the state this webview persisted before it was hidden or reloaded, shown until the snapshot. */
  constructor(public state?: PanelState) {}

  receive(message: ToWebview): Receipt {
    const state = this.state;
    switch (message.type) {
      case 'session/snapshot':
        this.state = message.state;
        this._synced = true;
        return 'render';
      case 'run/didStart': {
        if (!state || state.runs.some((r) => r.runId === message.run.runId)) {
          return 'none';
        }
        // One run in the solve view; in the compare view every run, round after round, as the host keeps them.
        state.runs = state.kind === 'solve' ? [message.run] : [...state.runs, message.run];
        return 'render';
      }
      case 'run/didUpdate': {
        const run = state?.runs.find((r) => r.runId === message.runId);
        if (!run) {
          return this._synced ? 'resync' : 'none';
        }
        const have = run.eventsApplied ?? 0;
        if (message.from > have) {
          // Events between `have` and `from` never arrived: only a snapshot can repair that.
          return this._synced ? 'resync' : 'none';
        }
        const fresh = message.events.slice(have - message.from);
        for (const event of fresh) {
          applyRunEvent(run, event);
        }
        return fresh.length > 0 ? 'render' : 'none';
      }
      case 'settings/didChange':
        if (!state) {
          return 'none';
        }
        state.tuning = message.tuning;
        return 'tuning';
      case 'metrics/didUpdate':
        if (!state) {
          return 'none';
        }
        state.metrics = message.metrics;
        return 'render';
      case 'panel/didPin':
        if (!state) {
          return 'none';
        }
        state.pinned = message.pinned;
        return 'render';
      default: {
        const unknown: never = message;
        return unknown;
      }
    }
  }
}
