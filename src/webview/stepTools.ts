// Per-step tools: Copy (the host copies the step from its own state), the exact requests the step used
// (rebuilt by core/engine/stepRequests.ts, shown as inert text), the score drawn against the threshold, and the
// keyboard moves between steps. Model text only ever goes into text nodes.

import type { TokenLogprob } from '../core/engine/scoring';
import { digitDistribution } from '../core/engine/scoring';
import { stepRequests, type ShownRequest } from '../core/engine/stepRequests';
import type { StepRecord } from '../core/engine/runRecord';
import type { FromWebview, PanelRun } from '../shared/protocol';
import { h, svg } from './dom';
import { formatScore } from './format';

/** Components post to the host by dispatching this event; main.ts forwards it (no handle to pass around). */
export const POST_EVENT = 'specreason-post';

export function postFrom(node: Element, message: FromWebview): void {
  node.dispatchEvent(new CustomEvent<FromWebview>(POST_EVENT, { detail: message, bubbles: true }));
}

type Judged = Pick<PanelRun, 'threshold' | 'scoreMethod'>;

/** The score on its 0–9 scale with the threshold marked: a tick at τ, the bar filled up to the score. */
export function scoreMeter(score: number, run: Judged, accepted: boolean): SVGSVGElement {
  const verdict = accepted ? 'kept' : 'rejected';
  const label = `Score ${formatScore(score, run.scoreMethod)} on 0–9 against threshold ${run.threshold}: ${verdict}`;
  return svg(
    'svg',
    {
      class: `score-meter ${accepted ? 'accept' : 'reject'}`,
      viewBox: '0 0 9 1',
      preserveAspectRatio: 'none',
      role: 'img',
      'aria-label': label,
    },
    svg('title', {}, label),
    svg('rect', { class: 'meter-track', x: 0, y: 0.3, width: 9, height: 0.4 }),
    svg('rect', { class: 'meter-fill', x: 0, y: 0.3, width: Math.max(0, Math.min(9, score)), height: 0.4 }),
    svg('rect', {
      class: 'meter-threshold',
      x: Math.max(0, Math.min(8.85, run.threshold - 0.075)),
      y: 0,
      width: 0.15,
      height: 1,
    }),
  );
}

/** The threshold as a line between the digits below it and those at or above it, on the 0–9 distribution chart. */
export function thresholdLine(threshold: number): SVGElement {
  return svg('rect', {
    class: 'dist-threshold',
    x: Math.max(0, Math.min(9.9, threshold - 0.05)),
    y: 0,
    width: 0.1,
    height: 1,
  });
}

function paramsText(body: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const key of ['max_tokens', 'temperature', 'top_p', 'stop', 'logprobs', 'top_logprobs', 'stream'] as const) {
    if (body[key] !== undefined) {
      parts.push(`${key} ${JSON.stringify(body[key])}`);
    }
  }
  return parts.join(' · ');
}

const ROLE_LABEL = { small: 'small model', base: 'base model' } as const;

/** The score token's alternatives: token, logprob, probability; digits at or above τ marked. */
function logprobTable(top: readonly TokenLogprob[], threshold: number): HTMLElement {
  const digits = digitDistribution([...top]);
  const above = digits.reduce((sum, p, d) => sum + (d >= threshold ? p : 0), 0);
  return h(
    'div',
    { className: 'logprobs' },
    h(
      'table',
      { className: 'logprob-table' },
      h('caption', {}, 'Top logprobs of the score token (sampled token first)'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', {}, 'Token'),
          h('th', {}, 'Logprob'),
          h('th', {}, 'Probability'),
          h('th', {}, `vs τ ${threshold}`),
        ),
      ),
      h(
        'tbody',
        {},
        ...top.map((t) => {
          const digit = /^\s*\d\s*$/.test(t.token) ? Number(t.token) : undefined;
          return h(
            'tr',
            { attrs: digit === undefined ? {} : { 'data-side': digit >= threshold ? 'accept' : 'reject' } },
            h('td', {}, h('code', {}, JSON.stringify(t.token))),
            h('td', {}, t.logprob.toFixed(3)),
            h('td', {}, `${(Math.exp(t.logprob) * 100).toFixed(1)}%`),
            h('td', {}, digit === undefined ? '' : digit >= threshold ? '≥ τ' : '< τ'),
          );
        }),
      ),
    ),
    h('p', { className: 'muted' }, `Probability of a digit ≥ ${threshold} among them: ${(above * 100).toFixed(1)}%`),
  );
}

function requestSection(request: ShownRequest, step: StepRecord, run: Judged): HTMLElement {
  const model = typeof request.body.model === 'string' ? request.body.model : '';
  return h(
    'section',
    {
      className: 'request',
      attrs: { 'data-purpose': request.purpose.toLowerCase(), 'aria-label': `${request.purpose} request` },
    },
    h('h4', {}, `${request.purpose} · ${ROLE_LABEL[request.role]} ${model} · POST ${request.path}`),
    h('p', { className: 'request-params' }, paramsText(request.body)),
    request.purpose === 'Score' && step.score_top_logprobs?.length
      ? logprobTable(step.score_top_logprobs, run.threshold)
      : null,
    h('pre', { className: 'request-body' }, JSON.stringify(request.body, null, 2)),
  );
}

/** "Request": the step's requests, built when first opened (most stay closed, and each holds the whole prefix). */
export function requestDetails(run: PanelRun, index: number): HTMLDetailsElement {
  const body = h('div', { className: 'request-list' });
  const details = h(
    'details',
    { className: 'step-request' },
    h(
      'summary',
      {
        title:
          'The exact requests this step sent: messages, sampling, and for a scored step the score request and its top logprobs',
      },
      'Request',
    ),
    body,
  );
  const build = () => {
    if (!details.open) {
      return;
    }
    details.removeEventListener('toggle', build);
    // Copied when opened, not per step rendered: a copy of every earlier step per step is quadratic in long runs.
    const steps = run.steps.slice(0, index + 1);
    const requests =
      run.prompt === undefined ? undefined : stepRequests(run.prompt, run.mode, steps, index, run.requestFormats);
    body.replaceChildren(
      ...(requests
        ? requests.map((r) => requestSection(r, steps[index]!, run))
        : [h('p', { className: 'muted' }, 'This run was recorded before steps kept their request details.')]),
    );
  };
  details.addEventListener('toggle', build);
  return details;
}

/** Copy: the host copies the step's text from its own state and confirms in the status bar. */
export function copyButton(runId: string, step: StepRecord): HTMLButtonElement {
  const label = 'Copy';
  const button = h(
    'button',
    {
      className: 'step-copy small secondary',
      title: `Copy step ${step.step_id + 1}'s text (C)`,
      attrs: { type: 'button' },
    },
    label,
  );
  let reset: ReturnType<typeof setTimeout> | undefined;
  button.addEventListener('click', () => {
    postFrom(button, { type: 'step/copy', runId, stepId: step.step_id });
    button.textContent = 'Copied';
    clearTimeout(reset);
    reset = setTimeout(() => (button.textContent = label), 1500);
  });
  return button;
}

/** Keyboard in a list of steps: ↑/↓ (and PageUp/PageDown) move, Home/End jump, C copies, R opens the request. */
export function stepKeys(list: HTMLElement): void {
  list.addEventListener('keydown', (e) => {
    const article = e.target instanceof HTMLElement && e.target.matches('article.step') ? e.target : undefined;
    if (!article || e.altKey || e.ctrlKey || e.metaKey) {
      return;
    }
    const steps = [...list.querySelectorAll<HTMLElement>('article.step')];
    const at = steps.indexOf(article);
    const move: Record<string, number | undefined> = {
      ArrowDown: at + 1,
      PageDown: at + 1,
      ArrowUp: at - 1,
      PageUp: at - 1,
      Home: 0,
      End: steps.length - 1,
    };
    const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
    if (key in move) {
      steps[Math.max(0, Math.min(steps.length - 1, move[key]!))]?.focus();
      // The focused step (a step built on focus is a new article).
      const focused = document.activeElement;
      if (focused instanceof HTMLElement) {
        scrollIntoViewSettled(focused, 'nearest');
      }
    } else if (key === 'c') {
      article.querySelector<HTMLButtonElement>('.step-copy')?.click();
    } else if (key === 'r') {
      const details = article.querySelector<HTMLDetailsElement>('.step-request');
      if (details) {
        details.open = !details.open;
      }
    } else {
      return;
    }
    e.preventDefault();
  });
}

/** Bring a step into view and give it focus, briefly highlighted (a step-time bar was clicked). */
export function revealStep(list: HTMLElement, stepId: number): boolean {
  const step = () => list.querySelector<HTMLElement>(`article.step[data-step-id="${stepId}"]`);
  // Focus first: a step not built yet is built on focus (a new article), then scrolled to at its real height.
  step()?.focus({ preventScroll: true });
  const article = step();
  if (!article) {
    return false;
  }
  scrollIntoViewSettled(article, 'center');
  article.classList.remove('flash');
  void article.offsetWidth; // restart the highlight when the same bar is clicked again
  article.classList.add('flash');
  return true;
}

/** Frames after a scroll to a step during which it is brought back if the list moves it off-screen. */
const SETTLE_FRAMES = 12;

/**
 * Scrolls a step into view, and again in the next frames whenever it has left the view: the groups of steps
 * the scroll brings into view are shown for the first time a frame later, at their real height instead of
 * their estimate (see steps.ts), which can move the step off-screen.
 */
function scrollIntoViewSettled(step: HTMLElement, block: ScrollLogicalPosition): void {
  step.scrollIntoView({ block });
  let frames = 0;
  const check = () => {
    const box = step.getBoundingClientRect();
    if (step.isConnected && (box.bottom <= 0 || box.top >= window.innerHeight)) {
      step.scrollIntoView({ block });
    }
    if (++frames < SETTLE_FRAMES && step.isConnected) {
      requestAnimationFrame(check);
    }
  };
  requestAnimationFrame(check);
}
