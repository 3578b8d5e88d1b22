// The compare view's summary card: the speedup in words, wall time per mode as a small bar chart,
// SpecReason's acceptance, and each mode's answer with whether they agree.

import { compare } from '../core/presentation/compareTable';
import { formatSpeedup } from '../core/presentation/format';
import type { PanelRun } from '../shared/protocol';
import { h, setText, svg } from './dom';
import { DASH, formatMs, formatRate, MODE_LABEL } from './format';
import { renderTex } from './math';

/** One mode's wall-time bar: the running clock while it runs, the summary's wall time once it ended. */
class WallBar {
  readonly element: HTMLElement;
  private readonly _bar = svg('rect', { class: 'wall-bar', x: 0, y: 0, height: 1, width: 0 });
  private readonly _value = h('span', { className: 'wall-value' });
  private readonly _answer = h('span', { className: 'wall-answer' });
  private _answerKey?: string;

  constructor(readonly run: PanelRun) {
    this.element = h(
      'li',
      { className: 'wall-row', attrs: { 'data-mode': run.mode } },
      h('span', { className: 'wall-label' }, MODE_LABEL[run.mode]),
      svg(
        'svg',
        { class: 'wall-track', viewBox: '0 0 1 1', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
        this._bar,
      ),
      this._value,
      this._answer,
    );
  }

  /** `longest`: the longest wall time of the card, the full width of a bar. */
  update(ms: number | undefined, longest: number): void {
    this._bar.setAttribute('width', String(ms === undefined || longest <= 0 ? 0 : Math.min(1, ms / longest)));
    const running = this.run.status === 'running';
    setText(this._value, ms === undefined ? DASH : `${formatMs(ms)}${running ? ' …' : ''}`);
    this.element.dataset.status = this.run.status;
    const answer = this.run.summary?.answer;
    const key = answer ?? (this.run.summary ? `none:${this.run.status}` : 'pending');
    if (key !== this._answerKey) {
      this._answerKey = key;
      this._answer.replaceChildren(
        answer !== undefined
          ? renderTex(answer, false)
          : h('span', { className: 'muted' }, this.run.summary ? 'no answer' : running ? 'running' : DASH),
      );
    }
  }
}

export class CompareSummary {
  readonly element: HTMLElement;
  private readonly _speedup = h('span', { id: 'speedup', className: 'speedup' }, DASH);
  private readonly _speedupCaption = h('span', { className: 'caption' }, 'SpecReason vs base only');
  private readonly _acceptance = h('span', { id: 'compare-acceptance', className: 'summary-fact' });
  private readonly _agreement = h('span', { className: 'agreement' });
  private readonly _chart = h('ul', {
    id: 'wall-chart',
    className: 'wall-chart',
    attrs: { 'aria-label': 'Wall time per mode' },
  });
  private _bars: WallBar[] = [];

  constructor() {
    this.element = h(
      'section',
      { id: 'compare-card', className: 'summary-card', attrs: { 'aria-label': 'Comparison summary' } },
      h(
        'div',
        { className: 'headline' },
        h(
          'div',
          { className: 'speedup-box', title: 'Base-only wall time ÷ SpecReason wall time' },
          this._speedup,
          this._speedupCaption,
        ),
        this._acceptance,
        this._agreement,
      ),
      h('h2', { className: 'section-title' }, 'Wall time and answer per mode'),
      this._chart,
    );
  }

  /** `runs`: in display order. */
  update(runs: readonly PanelRun[]): void {
    if (this._bars.length !== runs.length || this._bars.some((b, i) => b.run !== runs[i])) {
      this._bars = runs.map((r) => new WallBar(r));
      this._chart.replaceChildren(...this._bars.map((b) => b.element));
    }
    const now = Date.now();
    const wall = (r: PanelRun) =>
      r.summary ? r.summary.wallMs : r.status === 'running' ? Math.max(0, now - r.startedAt) : undefined;
    const walls = runs.map(wall);
    const longest = Math.max(0, ...walls.map((w) => w ?? 0));
    this._bars.forEach((b, i) => b.update(walls[i], longest));

    const result = compare(runs.flatMap((r) => (r.summary ? [r.summary] : [])));
    setText(this._speedup, formatSpeedup(result.speedup));
    this._speedup.dataset.direction = result.speedup === undefined ? 'none' : result.speedup >= 1 ? 'faster' : 'slower';
    const spec = runs.find((r) => r.mode === 'specreason');
    const rate = spec?.summary?.acceptanceRate;
    const s = spec?.summary;
    setText(
      this._acceptance,
      s ? `Acceptance ${formatRate(rate)} (${s.accepted} of ${s.accepted + s.rejected} drafts kept)` : 'Acceptance —',
    );
    const agree = result.answersAgree;
    this._agreement.dataset.agree = String(agree);
    setText(
      this._agreement,
      agree === undefined ? 'answers: not all known yet' : agree ? '✓ answers agree' : '✗ answers differ',
    );
  }
}
