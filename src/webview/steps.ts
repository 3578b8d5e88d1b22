// Completed steps (appended incrementally) and the step being streamed right now.

import type { StepRecord } from '../core/engine/runRecord';
import { digitDistribution, FRACTIONAL_SCORES } from '../core/engine/scoring';
import type { LiveStep, PanelRun } from '../shared/protocol';
import { h, setText, svg } from './dom';
import { formatCount, formatMs, formatScore, ORIGIN_DESCRIPTION, ORIGIN_LABEL } from './format';
import { renderRichText } from './math';
import { decisionBadge, decisionBadgeText, decisionNote } from './decision';
import { copyButton, requestDetails, revealStep, scoreMeter, stepKeys, thresholdLine } from './stepTools';

type Judging = Pick<PanelRun, 'threshold' | 'scoreMethod'>;

function scoreBadge(score: number, run: Judging, accepted: boolean): HTMLElement {
  const text = formatScore(score, run.scoreMethod);
  const verdict = accepted ? `≥ threshold ${run.threshold}: kept` : `< threshold ${run.threshold}: rejected`;
  return h('span', { className: `score ${accepted ? 'accept' : 'reject'}`, title: `Score ${text} ${verdict}` }, text);
}

/** Ten tiny bars: how the base model's probability spread over the digits 0–9. */
function distributionChart(step: StepRecord, threshold: number): SVGSVGElement | undefined {
  if (!step.score_top_logprobs?.length) {
    return undefined;
  }
  const probs = digitDistribution(step.score_top_logprobs);
  const described = probs
    .map((p, d) => [d, p] as const)
    .filter(([, p]) => p >= 0.005)
    .map(([d, p]) => `${d}: ${Math.round(p * 100)}%`)
    .join(', ');
  const chart = svg(
    'svg',
    {
      class: 'dist',
      viewBox: '0 0 10 1',
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': `Score distribution ${described || 'empty'}`,
    },
    svg('title', {}, `Score distribution: ${described || 'no digit among the top tokens'}`),
  );
  probs.forEach((p, digit) => {
    // A faint full-height track per digit keeps the 0–9 scale readable when most bars are empty.
    chart.appendChild(svg('rect', { class: 'dist-track', x: digit + 0.12, width: 0.76, y: 0, height: 1 }));
    chart.appendChild(
      svg('rect', {
        class: `dist-bar ${digit >= threshold ? 'accept' : 'reject'}`,
        x: digit + 0.12,
        width: 0.76,
        y: 1 - p,
        height: p,
      }),
    );
  });
  chart.appendChild(thresholdLine(threshold));
  return chart;
}

function timingTitle(step: StepRecord): string {
  const t = step.timings;
  const parts = [`step ${formatMs(t.stepMs)}`];
  if (t.draftMs !== undefined) {
    parts.push(`draft ${formatMs(t.draftMs)}`);
  }
  if (t.scoreMs !== undefined) {
    parts.push(`score ${formatMs(t.scoreMs)}`);
  }
  if (t.baseMs !== undefined) {
    parts.push(`base ${formatMs(t.baseMs)}`);
  }
  return parts.join(' · ');
}

/** The rejected draft starts as plain text and is typeset when first opened: most stay closed. */
function rejectedDraft(draft: string, scoreText: string): HTMLDetailsElement {
  const body = h('div', { className: 'draft-text' }, renderRichText(draft, false));
  const details = h(
    'details',
    { className: 'rejected-draft' },
    h('summary', {}, `Rejected draft (score ${scoreText})`),
    body,
  );
  const typeset = () => {
    if (!details.open) {
      return;
    }
    details.removeEventListener('toggle', typeset);
    body.replaceChildren(renderRichText(draft));
  };
  details.addEventListener('toggle', typeset);
  return details;
}

/** A completed step: `index` is its place in `run.steps` (its request is rebuilt from the steps before it). */
export function stepArticle(step: StepRecord, run: PanelRun, index: number): HTMLElement {
  const scored = step.score !== null;
  const scoreText = scored ? formatScore(step.score ?? 0, run.scoreMethod) : '';
  const head = h(
    'header',
    { className: 'step-head' },
    h('span', { className: 'step-num' }, `Step ${step.step_id + 1}`),
    h('span', { className: 'origin-tag', title: ORIGIN_DESCRIPTION[step.origin] }, ORIGIN_LABEL[step.origin]),
    step.decision && decisionBadge(step.decision),
    scored && scoreBadge(step.score ?? 0, run, step.origin !== 'base-fallback'),
    scored && scoreMeter(step.score ?? 0, run, step.origin !== 'base-fallback'),
    scored && FRACTIONAL_SCORES[run.scoreMethod] && distributionChart(step, run.threshold),
    h(
      'span',
      { className: 'step-meta' },
      h(
        'span',
        { className: 'step-tokens', title: 'Tokens of the kept text' },
        `${formatCount(step.final_num_output_tokens)} tok`,
      ),
      h('span', { className: 'step-time', title: timingTitle(step) }, formatMs(step.timings.stepMs)),
      copyButton(run.runId, step),
    ),
  );
  const label = `Step ${step.step_id + 1}, ${ORIGIN_LABEL[step.origin]}${scored ? `, score ${scoreText}` : ''}${step.decision ? `, ${decisionBadgeText(step.decision)}` : ''}`;
  return h(
    'article',
    {
      className: 'step',
      // Focusable (a feed's articles are): ↑/↓ move between steps, C copies, R opens the request.
      attrs: {
        'data-origin': step.origin,
        'data-step-id': String(step.step_id),
        'aria-label': label,
        'aria-posinset': String(index + 1),
        tabindex: '0',
      },
    },
    head,
    step.decision && decisionNote(step.decision),
    step.warning && h('p', { className: 'step-warning', attrs: { role: 'note' } }, `⚠ ${step.warning}`),
    h('div', { className: 'step-text' }, renderRichText(step.step_str)),
    step.origin === 'base-fallback' &&
      step.small_model_step !== null &&
      rejectedDraft(step.small_model_step, scoreText),
    requestDetails(run, index),
  );
}

/** A run's completed steps. Only steps not yet shown are rendered, so long runs stay cheap. */
export class StepsList {
  readonly element: HTMLElement;
  private _run?: PanelRun;
  private _rendered = 0;

  constructor(id?: string) {
    this.element = h('div', { id, className: 'steps', attrs: { role: 'feed', 'aria-label': 'Reasoning steps' } });
    stepKeys(this.element);
  }

  /** Scroll to a step and focus it (a step-time bar was clicked). */
  reveal(stepId: number): boolean {
    return revealStep(this.element, stepId);
  }

  /** Appends what is new; starts over for a different run. Returns whether anything was added. */
  sync(run: PanelRun | undefined): boolean {
    if (run !== this._run || (run && run.steps.length < this._rendered)) {
      this._run = run;
      this._rendered = 0;
      this.element.replaceChildren();
    }
    this.element.setAttribute('aria-busy', String(run?.status === 'running'));
    if (!run || run.steps.length === this._rendered) {
      return false;
    }
    const fragment = document.createDocumentFragment();
    for (let i = this._rendered; i < run.steps.length; i++) {
      fragment.appendChild(stepArticle(run.steps[i]!, run, i));
    }
    this.element.appendChild(fragment);
    this._rendered = run.steps.length;
    return true;
  }
}

const PHASE_LABEL: Readonly<Record<LiveStep['phase'], string>> = {
  drafting: 'drafting…',
  scoring: 'scoring…',
  fallback: 'base model rewriting…',
  forced: 'base model writing…',
  baseline: 'generating…',
};

/** Streaming text that only grows: append the new tail instead of replacing everything. */
class StreamText {
  readonly node = document.createTextNode('');

  set(text: string): void {
    const current = this.node.data;
    if (text === current) {
      return;
    }
    if (text.startsWith(current)) {
      this.node.appendData(text.slice(current.length));
    } else {
      this.node.data = text;
    }
  }
}

/** The step in progress, as plain text (math is typeset once the step completes). */
export class LiveStepView {
  readonly element: HTMLElement;
  private readonly _title = h('span', { className: 'step-num' });
  private readonly _phase = h('span', { className: 'live-phase' });
  private readonly _score = h('span', { className: 'score', hidden: true });
  /** The policy's decision, once made (before the winning text is complete, when the policy can tell). */
  private readonly _decision = h('span', { className: 'decision-badge', hidden: true });
  private readonly _draftLabel = h('div', { className: 'live-label' });
  private readonly _draft = new StreamText();
  private readonly _draftBox = h(
    'div',
    { className: 'live-box live-draft' },
    this._draftLabel,
    h('pre', { className: 'live-text' }, this._draft.node),
  );
  private readonly _baseLabel = h('div', { className: 'live-label' });
  private readonly _base = new StreamText();
  private readonly _baseBox = h(
    'div',
    { className: 'live-box live-base' },
    this._baseLabel,
    h('pre', { className: 'live-text' }, this._base.node),
  );

  constructor(id?: string) {
    this.element = h(
      'section',
      { id, className: 'live', hidden: true, attrs: { 'aria-label': 'Step in progress' } },
      h(
        'header',
        { className: 'step-head' },
        this._title,
        h('span', { className: 'spinner', attrs: { 'aria-hidden': 'true' } }),
        this._phase,
        this._score,
        this._decision,
      ),
      this._draftBox,
      this._baseBox,
    );
  }

  update(run: PanelRun | undefined): void {
    const live = run?.live;
    // A cancelled or failed run keeps its partial step; only a running one is "in progress".
    this.element.hidden = !live || !run;
    if (!live || !run) {
      return;
    }
    this.element.dataset.phase = live.phase;
    this.element.classList.toggle('stopped', run.status !== 'running');
    setText(this._title, `Step ${live.stepId + 1}`);
    setText(this._phase, run.status === 'running' ? PHASE_LABEL[live.phase] : `stopped (${run.status})`);
    this._score.hidden = !live.score;
    if (live.score) {
      setText(this._score, formatScore(live.score.value, run.scoreMethod));
      this._score.className = `score ${live.score.accepted ? 'accept' : 'reject'}`;
      this._score.title = `Score against threshold ${run.threshold}: ${live.score.accepted ? 'kept' : 'rejected'}`;
    }
    this._decision.hidden = !live.decision;
    if (live.decision) {
      setText(this._decision, decisionBadgeText(live.decision));
      this._decision.title = live.decision.explanation;
    }
    const showsDraft = live.phase === 'drafting' || live.phase === 'scoring' || live.phase === 'fallback';
    this._draftBox.hidden = !showsDraft;
    this._draftBox.classList.toggle('rejected', live.phase === 'fallback');
    setText(this._draftLabel, live.phase === 'fallback' ? 'Rejected draft (small model)' : 'Draft (small model)');
    this._draft.set(live.draft);
    this._baseBox.hidden = showsDraft && live.phase !== 'fallback';
    setText(
      this._baseLabel,
      live.phase === 'baseline' ? (run.mode === 'small' ? 'Small model' : 'Base model') : 'Base model',
    );
    this._base.set(live.base);
  }
}
