// @ts-check
// A long SpecReason run for the reasoning panel's long-run benchmark (panel.bench.js) and tests
// (longRun.webview.test.js): the engine's events of an n-step run and its step records, with math in every
// step and every tenth draft rejected and rewritten by the base model.

/** @typedef {import('../../src/core/engine/runRecord').RunEvent} RunEvent */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */

const TUNING = /** @type {const} */ ({
  threshold: 7,
  scoreMethod: 'greedy',
  tokenBudget: 32768,
  firstNBaseSteps: 0,
  target: 'user',
});

/**
 * The events of an n-step run (from its run-start) and its step records.
 * @param {number} n
 * @returns {{ events: RunEvent[]; steps: StepRecord[] }}
 */
function longRunEvents(n) {
  /** @type {RunEvent[]} */
  const events = [
    /** @type {RunEvent} */ ({
      type: 'run-start',
      runId: 'r',
      mode: 'specreason',
      problem: { text: 'p' },
      config: {},
      startedAt: 0,
    }),
  ];
  /** @type {StepRecord[]} */
  const steps = [];
  for (let i = 0; i < n; i++) {
    const rejected = i % 10 === 9;
    const text = rejected
      ? `Step ${i}: redo with $x_{${i}} = ${i}^2$ carefully, since $\\frac{${i}}{2}$ was wrong.`
      : `Step ${i}: since $a_{${i}} = a_{${i - 1}} + 1$, we get ${i}.\n\nThen continue with $\\sqrt{${i}}$.`;
    const draft = rejected ? `Step ${i}: guess $x = ${i}$.` : text;
    const ms = 300 + (i % 13) * 20 + (rejected ? 600 : 0);
    events.push({ type: 'step-start', stepId: i, origin: 'draft' });
    events.push({ type: 'delta', stepId: i, model: 'small', phase: 'draft', text: draft.slice(0, 20) });
    events.push({ type: 'delta', stepId: i, model: 'small', phase: 'draft', text: draft.slice(20) });
    events.push({ type: 'draft-done', stepId: i, text: draft, tokens: 24, ms: ms * 0.4 });
    const score = rejected ? 3 : 8;
    const top = [{ token: String(score), logprob: -0.05 }];
    events.push({
      type: 'score',
      stepId: i,
      score,
      accepted: !rejected,
      threshold: 7,
      method: 'greedy',
      topLogprobs: top,
      ms: 30,
    });
    if (rejected) {
      events.push({ type: 'fallback-start', stepId: i });
      events.push({ type: 'delta', stepId: i, model: 'base', phase: 'fallback', text });
    }
    /** @type {StepRecord} */
    const record = {
      step_id: i,
      step_str: text,
      small_model_step: draft,
      num_output_tokens_small: 24,
      score,
      base_model_step: rejected ? text : null,
      num_output_tokens_base: rejected ? 24 : null,
      final_num_output_tokens: 24,
      justification: String(score),
      score_top_logprobs: top,
      origin: rejected ? 'base-fallback' : 'small',
      timings: { stepMs: ms, startedAt: i * 400, endedAt: i * 400 + ms },
    };
    steps.push(record);
    events.push({ type: 'step-done', record });
  }
  return { events, steps };
}

/**
 * The panel's state with the run, running and empty (the stream's start), or with `steps` of it applied
 * (a snapshot: the panel opened, or reopened, on a run that far).
 * @param {{ steps?: StepRecord[]; eventsApplied?: number; status?: PanelRun['status'] }} [run]
 * @returns {PanelState}
 */
function longRunState({ steps = [], eventsApplied, status = 'running' } = {}) {
  /** @type {PanelRun} */
  const run = {
    runId: 'r',
    mode: 'specreason',
    status,
    startedAt: Date.now(),
    threshold: 7,
    scoreMethod: 'greedy',
    steps,
    ...(eventsApplied === undefined ? {} : { eventsApplied }),
  };
  return { protocolVersion: 1, kind: 'solve', problem: { text: 'A long run.' }, runs: [run], tuning: TUNING };
}

/**
 * The host's messages for events [from, to): batches of `batch` events, as the host posts them.
 * @param {RunEvent[]} events
 * @param {number} from
 * @param {number} to
 * @param {number} batch
 * @returns {ToWebview[]}
 */
function batches(events, from, to, batch) {
  /** @type {ToWebview[]} */
  const messages = [];
  for (let i = from; i < to; i += batch) {
    messages.push({ type: 'run/didUpdate', runId: 'r', from: i, events: events.slice(i, Math.min(i + batch, to)) });
  }
  return messages;
}

/**
 * The index just past step `stepId`'s step-done event.
 * @param {RunEvent[]} events
 * @param {number} stepId
 */
function eventsThroughStep(events, stepId) {
  return events.findIndex((e) => e.type === 'step-done' && e.record.step_id === stepId) + 1;
}

module.exports = { longRunEvents, longRunState, batches, eventsThroughStep };
