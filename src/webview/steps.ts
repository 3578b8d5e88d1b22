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

/** A completed step's parts below its article: built when the step first comes near the view. */
function stepContent(step: StepRecord, run: PanelRun, index: number): Node[] {
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
  const parts: Array<Node | false | null | undefined> = [
    head,
    step.decision && decisionNote(step.decision),
    !!step.warning && h('p', { className: 'step-warning', attrs: { role: 'note' } }, `⚠ ${step.warning}`),
    h('div', { className: 'step-text' }, renderRichText(step.step_str)),
    step.origin === 'base-fallback' &&
      step.small_model_step !== null &&
      rejectedDraft(step.small_model_step, scoreText),
    requestDetails(run, index),
  ];
  return parts.filter((part): part is Node => !!part);
}

/**
 * A completed step's article, as a placeholder: its place, label and keyboard focus, and its text unformatted
 * (found by the find widget, sized roughly right). `stepContent` builds the rest when it comes near the view.
 */
function stepPlaceholder(step: StepRecord, run: PanelRun, index: number): HTMLElement {
  const scored = step.score !== null;
  const scoreText = scored ? formatScore(step.score ?? 0, run.scoreMethod) : '';
  const label = `Step ${step.step_id + 1}, ${ORIGIN_LABEL[step.origin]}${scored ? `, score ${scoreText}` : ''}${step.decision ? `, ${decisionBadgeText(step.decision)}` : ''}`;
  return h(
    'article',
    {
      className: 'step pending',
      // Focusable (a feed's articles are): ↑/↓ move between steps, C copies, R opens the request.
      attrs: {
        'data-origin': step.origin,
        'data-step-id': String(step.step_id),
        'aria-label': label,
        'aria-posinset': String(index + 1),
        tabindex: '0',
      },
    },
    step.step_str,
  );
}

/** Articles per group in the list of steps. */
const STEPS_PER_GROUP = 64;
/** A step's height until first shown, with the gap between steps (panel.css: 90px and 8px). */
const STEP_ESTIMATE_PX = 98;
/** Steps this far above or below the visible part of the list are built ahead of a scroll, when time allows. */
const BUILD_MARGIN_PX = 600;
/**
 * Building stops for the frame past this much time, half a frame; the rest are built in the next frames. Steps
 * in view come first, those in the margin after them. Time counts each step's style and layout (typeset math
 * costs more there than in script), and a step is not started when the last one would not fit.
 */
const BUILD_BUDGET_MS = 8;

type Band = { top: number; bottom: number };

/**
 * A run's completed steps. Only steps not yet shown are added, and each is added as a cheap placeholder; the
 * steps in or near view are built (header, typeset math, tools) by `buildVisible`, which the panel calls in the
 * frame that renders them and after a scroll or a resize; a step is also built when it gets focus. A long run's
 * snapshot then costs what its visible steps cost, and nothing relays out the whole list.
 *
 * Steps sit in groups of `STEPS_PER_GROUP`; a group is skipped by the browser while off-screen
 * (`content-visibility: auto` on `.step-group`): no style, layout or paint for its steps, so the steps far from
 * the view cost nothing per frame and a snapshot styles only the groups it shows. Everything that looks for
 * steps by position goes through the groups first, so it never reads the layout of a skipped group.
 */
export class StepsList {
  readonly element: HTMLElement;
  private _run?: PanelRun;
  private _rendered = 0;
  /** Placeholders not built yet. */
  private readonly _pending = new Set<HTMLElement>();
  /** Every step's article, in order; article `i` sits in group `i / STEPS_PER_GROUP`. */
  private _articles: HTMLElement[] = [];
  private _groups: HTMLElement[] = [];

  constructor(id?: string) {
    this.element = h('div', { id, className: 'steps', attrs: { role: 'feed', 'aria-label': 'Reasoning steps' } });
    stepKeys(this.element);
    // A step reached by keyboard or by a step-time bar is built (its article replaced, focus kept) before
    // anything reads it: after focusing a step, read `document.activeElement`, not the article focused.
    this.element.addEventListener('focusin', (e) => {
      if (e.target instanceof HTMLElement) {
        this._build(e.target);
      }
    });
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
      this._pending.clear();
      this._articles = [];
      this._groups = [];
      this.element.replaceChildren();
    }
    const busy = String(run?.status === 'running');
    if (this.element.getAttribute('aria-busy') !== busy) {
      this.element.setAttribute('aria-busy', busy);
    }
    if (!run || run.steps.length === this._rendered) {
      return false;
    }
    for (let i = this._rendered; i < run.steps.length; i++) {
      const article = stepPlaceholder(run.steps[i]!, run, i);
      this._pending.add(article);
      this._articles.push(article);
      this._groupFor(i).appendChild(article);
    }
    this._rendered = run.steps.length;
    // The last group's size until first shown (a snapshot shows the top of a long run): its steps', not a full
    // group's. Once shown, the browser remembers the size it had.
    const last = this._groups[this._groups.length - 1]!;
    const count = this._rendered - (this._groups.length - 1) * STEPS_PER_GROUP;
    last.style.containIntrinsicSize = count < STEPS_PER_GROUP ? `auto ${count * STEP_ESTIMATE_PX}px` : '';
    return true;
  }

  /**
   * Builds the placeholders in view, then those within the margin, within the frame's budget (at least one
   * step). `newestFirst` (the panel follows the stream): the bottom of the view first, so when steps arrive
   * faster than they can be built, the newest are built and the placeholders left over scroll away. Call it
   * after the frame's scrolling is done (it reads the layout). Returns whether some are left.
   */
  buildVisible(newestFirst = false): boolean {
    if (this._pending.size === 0 || !this.element.isConnected) {
      return false;
    }
    const started = performance.now();
    let built = 0;
    let slowest = 0;
    const view = this._visibleBand();
    const near = { top: view.top - BUILD_MARGIN_PX, bottom: view.bottom + BUILD_MARGIN_PX };
    for (const band of [view, near]) {
      const found = this._pendingIn(band);
      for (const article of newestFirst ? found.reverse() : found) {
        const before = performance.now();
        if (built > 0 && before - started + slowest > BUILD_BUDGET_MS) {
          return true;
        }
        // Its style and layout now, in the budget (the built article: the placeholder has left the page).
        this._build(article)?.getBoundingClientRect();
        built++;
        slowest = Math.max(slowest, performance.now() - before);
      }
    }
    return false;
  }

  /** The placeholders between two heights of the screen, top to bottom. */
  private _pendingIn(band: Band): HTMLElement[] {
    const found: HTMLElement[] = [];
    // The groups, then each group's articles, are in top-to-bottom order: binary-search the first one that ends
    // below the band's top. Only the groups the band meets are looked into (others may be skipped by the browser).
    const groups = this._groups;
    for (let g = firstEndingBelow(groups, 0, groups.length, band.top); g < groups.length; g++) {
      if (groups[g]!.getBoundingClientRect().top > band.bottom) {
        break;
      }
      const from = g * STEPS_PER_GROUP;
      const to = Math.min(from + STEPS_PER_GROUP, this._articles.length);
      for (let i = firstEndingBelow(this._articles, from, to, band.top); i < to; i++) {
        const article = this._articles[i]!;
        if (article.getBoundingClientRect().top > band.bottom) {
          break;
        }
        if (this._pending.has(article)) {
          found.push(article);
        }
      }
    }
    return found;
  }

  /**
   * The group of `STEPS_PER_GROUP` articles step `index` goes in. Appending to one long list relays out all of
   * it in every frame; appending to its last group relays out that group and steps over the others.
   */
  private _groupFor(index: number): HTMLElement {
    const last = this._groups[this._groups.length - 1];
    if (last && index % STEPS_PER_GROUP !== 0) {
      return last;
    }
    // role="none": the articles stay the feed's own items for assistive technology.
    const group = this.element.appendChild(h('div', { className: 'step-group', attrs: { role: 'none' } }));
    this._groups.push(group);
    return group;
  }

  /** The part of the screen where the list shows: the window, clipped by the boxes that scroll it. */
  private _visibleBand(): Band {
    let top = 0;
    let bottom = window.innerHeight;
    for (let box = this.element.parentElement; box && box !== document.body; box = box.parentElement) {
      if (box.scrollHeight > box.clientHeight && /auto|scroll/.test(getComputedStyle(box).overflowY)) {
        const rect = box.getBoundingClientRect();
        top = Math.max(top, rect.top);
        bottom = Math.min(bottom, rect.bottom);
      }
    }
    return { top, bottom };
  }

  /** Builds a placeholder: the new article, or undefined when it was built already. */
  private _build(article: HTMLElement): HTMLElement | undefined {
    if (!this._pending.delete(article) || !this._run) {
      return undefined;
    }
    const index = Number(article.getAttribute('aria-posinset')) - 1;
    const step = this._run.steps[index];
    if (!step) {
      return undefined;
    }
    // A new article swapped in, not the placeholder filled: the new subtree gets one style pass, where filling
    // a placeholder among thousands cost a style pass over far more (measured: 3× the CPU per frame at 2,000).
    const built = stepPlaceholder(step, this._run, index);
    built.classList.remove('pending');
    built.replaceChildren(...stepContent(step, this._run, index));
    const focused = document.activeElement === article;
    article.replaceWith(built);
    this._articles[index] = built;
    if (focused) {
      built.focus({ preventScroll: true });
    }
    return built;
  }
}

/** The first of `boxes[from..to)` (top to bottom on the screen) whose bottom is below `y`; `to` when none is. */
function firstEndingBelow(boxes: readonly Element[], from: number, to: number, y: number): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (boxes[mid]!.getBoundingClientRect().bottom < y) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return lo;
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
