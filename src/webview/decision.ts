// How a step policy decided a step (StepDecision, recorded by the engine): a compact badge in the step's
// header (policy, signal, value against threshold, outcome) and the decision's one-sentence explanation.
// And which speculation options a run used. Text nodes only: the explanation is engine text, never markup.

import type { StepDecision } from '../core/engine/runRecord';
import type { PanelRun } from '../shared/protocol';
import { h } from './dom';
import { POLICY_LABEL } from './format';

const SIGNAL_LABEL: Readonly<Record<string, string>> = {
  score: 'score',
  entropy: 'entropy',
  'self-score': 'self-score',
  'best-score': 'best score',
};

const OUTCOME_LABEL: Readonly<Record<string, string>> = {
  'kept-draft': 'draft kept',
  'base-rewrote': 'base rewrote',
  'small-wrote': 'small wrote',
  'base-wrote': 'base wrote',
};

/** Two decimals at most, no trailing zeros: 0.9, 1.32, 7. */
function decimal(n: number): string {
  return Number.isFinite(n) ? String(Math.round(n * 100) / 100) : String(n);
}

/** "first-token · entropy 1.32 ≥ 0.9 → base wrote" */
export function decisionBadgeText(d: StepDecision): string {
  const policy = POLICY_LABEL[d.policy] ?? String(d.policy);
  const signal = SIGNAL_LABEL[d.signal] ?? String(d.signal);
  const outcome = OUTCOME_LABEL[d.outcome] ?? String(d.outcome);
  return `${policy} · ${signal} ${decimal(d.value)} ${d.value >= d.threshold ? '≥' : '<'} ${decimal(d.threshold)} → ${outcome}`;
}

/** The badge in a step's header: which policy decided, on what signal, with its value and threshold. */
export function decisionBadge(d: StepDecision): HTMLElement {
  return h(
    'span',
    {
      className: 'decision-badge',
      title: d.explanation,
      attrs: { 'data-policy': String(d.policy), 'data-outcome': String(d.outcome) },
    },
    decisionBadgeText(d),
  );
}

/** The decision in one plain sentence, under the step's header. */
export function decisionNote(d: StepDecision): HTMLElement {
  return h('p', { className: 'step-decision', attrs: { role: 'note' } }, d.explanation);
}

/**
 * The speculation options of a SpecReason-loop run, in words: "Speculation: draft-ahead on · eager fallback
 * off". Both change no decision, only how long the run waits; undefined for baselines and for runs whose
 * options are unknown (records written before the panel kept them).
 */
export function speculationText(run: Pick<PanelRun, 'mode' | 'speculation'>): string | undefined {
  if (run.mode !== 'specreason' || !run.speculation) {
    return undefined;
  }
  const on = (b: boolean) => (b ? 'on' : 'off');
  return `Speculation: draft-ahead ${on(run.speculation.draftAhead)} · eager fallback ${on(run.speculation.eagerFallback)}`;
}

export const SPECULATION_TITLE =
  'Speculation options (settings specreason.speculation.*) change no decision, only the waiting: draft-ahead drafts ' +
  "the next step while this one is scored; eager fallback starts the base model's step with the draft and aborts it " +
  'when the draft is kept (it spends base-GPU time other users of a shared server would feel).';
