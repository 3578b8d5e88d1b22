// Live progress: a bar with done/total, runs per minute and the ETA (from this session's own runs,
// so a resumed evaluation's earlier runs do not inflate the rate), and the failed runs with errors.

import { configurationLabel, runConfiguration } from '../../shared/evalForm';
import type { EvalProgress, EvalRunRow, EvalStatus } from '../../shared/protocol';
import { h, setFlag, setText } from '../dom';
import { formatCount, formatMs } from '../format';

/** Runs per minute and the time left, once at least one run of this session finished. */
export function rateAndEta(progress: EvalProgress, now: number): { perMinute?: number; etaMs?: number } {
  const ran = progress.done - progress.resumed;
  const elapsed = now - progress.startedAt;
  if (ran <= 0 || elapsed <= 0) {
    return {};
  }
  const perMs = ran / elapsed;
  return { perMinute: perMs * 60_000, etaMs: Math.max(0, progress.total - progress.done) / perMs };
}

const MAX_LISTED_FAILURES = 200;

export class ProgressView {
  readonly element: HTMLElement;
  private readonly _bar = h('progress', { id: 'eval-progress-bar', attrs: { max: '1', value: '0' } });
  private readonly _text = h('span', { id: 'eval-progress-text', className: 'progress-text' });
  private readonly _failures = h('details', { id: 'eval-failures', className: 'failures', hidden: true });
  private readonly _failuresSummary = h('summary');
  private readonly _failuresList = h('ul');
  private _progress?: EvalProgress;
  private _status: EvalStatus = 'idle';
  private _failureCount = -1;

  constructor() {
    this._failures.append(this._failuresSummary, this._failuresList);
    this.element = h(
      'section',
      { className: 'eval-progress', attrs: { 'aria-label': 'Progress' } },
      h('div', { className: 'progress-line' }, this._bar, this._text),
      this._failures,
    );
    this._bar.setAttribute('aria-labelledby', 'eval-progress-text');
  }

  update(progress: EvalProgress | undefined, status: EvalStatus, runs: readonly EvalRunRow[]): void {
    this._progress = progress;
    this._status = status;
    setFlag(this.element, 'hidden', !progress);
    if (progress) {
      this._bar.max = Math.max(1, progress.total);
      this._bar.value = Math.min(progress.done, progress.total);
    }
    this.tick();
    const failed = runs.filter((r) => r.error !== undefined || r.stopReason === 'error');
    if (failed.length !== this._failureCount) {
      this._failureCount = failed.length;
      setFlag(this._failures, 'hidden', failed.length === 0);
      setText(this._failuresSummary, `${formatCount(failed.length)} failed run${failed.length === 1 ? '' : 's'}`);
      const items = failed
        .slice(0, MAX_LISTED_FAILURES)
        .map((r) =>
          h(
            'li',
            {},
            h(
              'span',
              { className: 'failure-where' },
              `${configurationLabel(runConfiguration(r))} · ${r.problemId} #${r.repeat}: `,
            ),
            r.error ?? `stopped: ${r.stopReason}`,
          ),
        );
      if (failed.length > MAX_LISTED_FAILURES) {
        items.push(
          h(
            'li',
            { className: 'muted' },
            `… and ${formatCount(failed.length - MAX_LISTED_FAILURES)} more (see the output folder)`,
          ),
        );
      }
      this._failuresList.replaceChildren(...items);
    }
  }

  /** Refreshes the rate and ETA (called on a clock while running). */
  tick(): void {
    const p = this._progress;
    if (!p) {
      return;
    }
    const parts = [`${formatCount(p.done)} / ${formatCount(p.total)} runs`];
    if (p.failed > 0) {
      parts.push(`${formatCount(p.failed)} failed`);
    }
    if (this._status === 'running') {
      const { perMinute, etaMs } = rateAndEta(p, Date.now());
      parts.push(
        perMinute === undefined ? 'measuring speed…' : `${perMinute.toFixed(perMinute < 10 ? 1 : 0)} runs/min`,
      );
      if (etaMs !== undefined) {
        parts.push(`ETA ${formatMs(etaMs)}`);
      }
    } else if (this._status === 'cancelled') {
      parts.push('cancelled: finished runs are kept, Resume completes the set');
    }
    setText(this._text, parts.join(' · '));
  }
}
