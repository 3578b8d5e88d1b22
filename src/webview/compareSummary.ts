// The compare view's summary card: the speedup in words (over every round: the median with its range, or a
// tie), wall time per mode as a small bar chart, SpecReason's acceptance, each mode's answer with whether they
// agree, and the control that compares again with more rounds.

import { compare, repeatedSpeedup, type RepeatedSpeedup, type RunKey } from '../core/presentation/compareTable';
import { speedupDetail, speedupHeadline, SUGGESTED_ROUNDS } from '../core/presentation/format';
import { HOST_SETTINGS } from '../core/settingsTable';
import { panelRunKey, type PanelRun } from '../shared/protocol';
import { button } from './controls';
import { h, setText, svg } from './dom';
import { DASH, formatMs, formatRate, offChoiceText, runLabel } from './format';
import type { Problem } from '../core/engine/prompts';
import { renderTex } from './math';
import { postFrom } from './stepTools';

const ROUNDS = HOST_SETTINGS.compareRounds;

/** A run that has not sent its first event yet: in a sequential comparison it waits for the one before. */
const waiting = (run: PanelRun) => run.status === 'running' && !run.eventsApplied;

/** One mode's wall-time bar: the running clock while it runs, the summary's wall time once it ended. */
class WallBar {
  readonly element: HTMLElement;
  private readonly _bar = svg('rect', { class: 'wall-bar', x: 0, y: 0, height: 1, width: 0 });
  private readonly _value = h('span', { className: 'wall-value' });
  /** This mode's own speedup against base-only: shown when several policies ran (else the headline says it). */
  private readonly _speedup = h('span', { className: 'wall-speedup' });
  private readonly _answer = h('span', { className: 'wall-answer' });
  private _answerKey?: string;

  constructor(readonly run: PanelRun) {
    this.element = h(
      'li',
      { className: 'wall-row', attrs: { 'data-mode': run.mode, 'data-key': panelRunKey(run) } },
      h('span', { className: 'wall-label' }, runLabel(run)),
      svg(
        'svg',
        { class: 'wall-track', viewBox: '0 0 1 1', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
        this._bar,
      ),
      this._value,
      this._speedup,
      this._answer,
    );
  }

  /** `speedup`: this mode's against base-only (undefined: none yet, or base-only itself). */
  updateSpeedup(speedup: RepeatedSpeedup | undefined, hasBase: boolean): void {
    const reference = this.run.mode === 'base';
    setText(this._speedup, reference ? 'reference' : speedup ? speedupHeadline(speedup) : DASH);
    this._speedup.dataset.direction = speedup?.verdict ?? 'none';
    this._speedup.title = reference
      ? 'Every speedup is base-only wall time ÷ that run’s wall time'
      : !hasBase
        ? 'No base-only run in this comparison: no speedup'
        : speedup
          ? `${runLabel(this.run)} against base only: ${speedupDetail(speedup)}`
          : 'No speedup until this run and base-only both complete';
  }

  /**
   * `ms`: the bar's length (the run's wall time, or the median of the rounds); `text`: what the value says;
   * `longest`: the full width of a bar.
   */
  update(ms: number | undefined, text: string, longest: number, offChoice: string | undefined): void {
    this._bar.setAttribute('width', String(ms === undefined || longest <= 0 ? 0 : Math.min(1, ms / longest)));
    setText(this._value, text);
    this.element.dataset.status = waiting(this.run) ? 'waiting' : this.run.status;
    const answer = this.run.summary?.answer;
    const key =
      answer !== undefined
        ? `${answer}:${offChoice ?? ''}`
        : this.run.summary
          ? `none:${this.run.status}`
          : `pending:${this.element.dataset.status}`;
    if (key !== this._answerKey) {
      this._answerKey = key;
      this._answer.title = offChoice ?? '';
      this._answer.dataset.offChoice = String(!!offChoice);
      this._answer.replaceChildren(
        answer !== undefined
          ? renderTex(answer, false)
          : h(
              'span',
              { className: 'muted' },
              this.run.summary
                ? 'no answer'
                : waiting(this.run)
                  ? 'waiting'
                  : this.run.status === 'running'
                    ? 'running'
                    : DASH,
            ),
      );
    }
  }
}

/** A run's bar and value: incomplete runs say what happened instead of passing for a result. */
function wallOf(run: PanelRun, now: number, spread: RepeatedSpeedup['wall'][RunKey]): { ms?: number; text: string } {
  if (waiting(run)) {
    return { text: 'waiting' };
  }
  if (run.status === 'running') {
    const ms = Math.max(0, now - run.startedAt);
    return { ms, text: `${formatMs(ms)} …` };
  }
  const s = run.summary;
  if (!s) {
    return { text: DASH };
  }
  if (run.status === 'cancelled' || run.status === 'error') {
    const verb = run.status === 'cancelled' ? 'cancelled' : 'failed';
    // A run that never started (a placeholder) has no time; a stopped one is no result: no bar for either.
    return { text: s.wallMs > 0 || run.steps.length > 0 ? `${verb} after ${formatMs(s.wallMs)}` : 'not run' };
  }
  if (spread && spread.samples > 1) {
    return {
      ms: spread.median,
      text: `${formatMs(spread.median)} (${formatMs(spread.low)}–${formatMs(spread.high)})`,
    };
  }
  return { ms: s.wallMs, text: formatMs(s.wallMs) };
}

/** "Runs per mode [3] Compare again": a comparison again with more rounds (the panel suggests 3). */
class RoundsControl {
  readonly element: HTMLElement;
  private readonly _input: HTMLInputElement;
  private readonly _button: HTMLButtonElement;
  private readonly _problem = h('span', { className: 'field-error', attrs: { role: 'alert' } });
  private _suggested?: number;
  private _running = false;

  constructor() {
    this._input = h('input', {
      id: 'compare-rounds',
      attrs: { type: 'number', min: String(ROUNDS.min), max: String(ROUNDS.max), step: '1' },
    });
    this._button = button(
      'btn-compare-again',
      'Compare again',
      'Run the comparison again with this many runs per mode: the speedup is then the median, with its range',
      () => {
        const rounds = this.rounds();
        if (rounds !== undefined) {
          postFrom(this.element, { type: 'run/rerun', rounds });
        }
      },
      'secondary',
    );
    this._input.addEventListener('input', () => this.rounds());
    this._input.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        this._button.click();
      }
    });
    this.element = h(
      'div',
      { className: 'rounds-control' },
      h(
        'label',
        {
          title: `How many times each mode runs (${ROUNDS.min}–${ROUNDS.max}); one run is one noisy sample. The setting specreason.compare.repeat is the default.`,
        },
        'Runs per mode ',
        this._input,
      ),
      this._button,
      this._problem,
    );
  }

  /** The value typed, or undefined (with the reason shown) when it is not a whole number in range. */
  private rounds(): number | undefined {
    const n = Number(this._input.value);
    const ok = this._input.value.trim() !== '' && Number.isInteger(n) && n >= ROUNDS.min && n <= ROUNDS.max;
    setText(this._problem, ok ? '' : `a whole number from ${ROUNDS.min} to ${ROUNDS.max}`);
    this._input.setAttribute('aria-invalid', String(!ok));
    this._button.disabled = !ok || this._running;
    return ok ? n : undefined;
  }

  update(planned: number, running: boolean): void {
    // Disabled rather than hidden while running: the card keeps its height, so nothing below it moves.
    this._running = running;
    // The comparison's own count when it had several, else the suggestion; kept while the user edits it.
    const suggested = planned > 1 ? planned : SUGGESTED_ROUNDS;
    if (suggested !== this._suggested) {
      this._suggested = suggested;
      this._input.value = String(suggested);
    }
    this.rounds();
  }
}

export class CompareSummary {
  readonly element: HTMLElement;
  private readonly _speedup = h('span', { id: 'speedup', className: 'speedup' }, DASH);
  private readonly _speedupCaption = h('span', { className: 'caption' }, 'SpecReason vs base only');
  private readonly _detail = h('p', { id: 'speedup-detail', className: 'speedup-detail muted' });
  private readonly _acceptance = h('span', { id: 'compare-acceptance', className: 'summary-fact' });
  private readonly _agreement = h('span', { className: 'agreement' });
  private readonly _rounds = new RoundsControl();
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
          {
            className: 'speedup-box',
            title:
              'Base-only wall time ÷ SpecReason wall time. Over several runs: the median, with the range; when the range includes 1× it is a tie.',
          },
          this._speedup,
          this._speedupCaption,
        ),
        this._acceptance,
        this._agreement,
      ),
      this._detail,
      h('h2', { className: 'section-title' }, 'Wall time and answer per mode'),
      this._chart,
      this._rounds.element,
    );
  }

  /** `rounds`: every round's runs, each in display order (the last is shown); `planned`: rounds asked for. */
  update(rounds: readonly (readonly PanelRun[])[], planned: number, problem: Problem): void {
    const runs = rounds[rounds.length - 1] ?? [];
    const all = rounds.flat();
    const running = all.some((r) => r.status === 'running');
    const repeated = repeatedSpeedup(rounds.map((r) => r.flatMap((run) => (run.summary ? [run.summary] : []))));
    if (this._bars.length !== runs.length || this._bars.some((b, i) => b.run !== runs[i])) {
      this._bars = runs.map((r) => new WallBar(r));
      this._chart.replaceChildren(...this._bars.map((b) => b.element));
    }
    const now = Date.now();
    const walls = runs.map((r) => wallOf(r, now, running ? undefined : repeated.wall[panelRunKey(r)]));
    const longest = Math.max(0, ...walls.map((w) => w.ms ?? 0));
    // Several policies: each bar says its own speedup (the headline stays the first policy's).
    const loops = runs.filter((r) => r.mode === 'specreason');
    const hasBase = runs.some((r) => r.mode === 'base');
    const several = loops.length > 1;
    this._chart.dataset.speedups = String(several);
    this._bars.forEach((b, i) => {
      b.update(walls[i]!.ms, walls[i]!.text, longest, offChoiceText(problem, b.run.summary?.answer));
      if (several) {
        b.updateSpeedup(repeated.policies?.[panelRunKey(b.run)], hasBase);
      }
    });

    setText(this._speedup, speedupHeadline(repeated));
    this._speedup.dataset.direction = repeated.verdict ?? 'none';
    setText(this._speedupCaption, `${loops[0] ? runLabel(loops[0]) : 'SpecReason'} vs base only`);
    const progress = planned > 1 && running ? `run ${rounds.length} of ${planned}` : '';
    const noBase = runs.length > 0 && !hasBase ? 'no base-only run in this comparison: no speedup' : '';
    setText(this._detail, [progress, noBase || speedupDetail(repeated)].filter(Boolean).join(' · '));
    this._rounds.update(planned, running);

    const s = runs.find((r) => r.mode === 'specreason')?.summary;
    setText(
      this._acceptance,
      s
        ? `Acceptance ${formatRate(s.acceptanceRate)} (${s.accepted} of ${s.accepted + s.rejected} drafts kept)`
        : 'Acceptance —',
    );
    this._acceptance.title = "Acceptance rate: the small model's drafts that scored at or above the threshold";
    const agree = agreement(rounds);
    this._agreement.dataset.agree = String(agree);
    setText(
      this._agreement,
      agree === undefined ? 'answers: not all known yet' : agree ? '✓ answers agree' : '✗ answers differ',
    );
  }
}

/** Whether every mode's answer equals SpecReason's in every round; undefined until all are known. */
function agreement(rounds: readonly (readonly PanelRun[])[]): boolean | undefined {
  const each = rounds.map((runs) => compare(runs.flatMap((r) => (r.summary ? [r.summary] : []))).answersAgree);
  return each.length === 0 || each.includes(undefined) ? undefined : !each.includes(false);
}
