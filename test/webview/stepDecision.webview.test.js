// @ts-check
// Browser tests of how the reasoning panel shows a step policy's decisions (media/gen/webview.js in headless
// Chromium, test/webview/harness.html standing in for the host): each step's badge (policy, signal, value
// against threshold, outcome) and its one-sentence explanation, the live step's decision as it arrives, the
// policy in the run's settings line and the speculation options in its header — all inert text.
// Needs a built bundle: `node esbuild.js`.

const assert = require('node:assert/strict');
const { usePanelHarness } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */
/** @typedef {import('../../src/core/engine/runRecord').StepDecision} StepDecision */
/** @typedef {import('../../src/core/engine/runRecord').RunEvent} RunEvent */

const HOSTILE = '<img src=x onerror="window.__pwned=1"> routed';

/**
 * A step as the engine records it under a policy.
 * @param {number} id @param {'small' | 'base-fallback' | 'base-forced'} origin @param {StepDecision} [decision]
 * @returns {StepRecord}
 */
function step(id, origin, decision) {
  return {
    step_id: id,
    step_str: `Step ${id} text.`,
    small_model_step: origin === 'base-forced' ? null : `Step ${id} text.`,
    num_output_tokens_small: origin === 'base-forced' ? null : 6,
    score: null,
    base_model_step: origin === 'small' ? null : `Step ${id} text.`,
    num_output_tokens_base: origin === 'small' ? null : 6,
    final_num_output_tokens: 6,
    justification: null,
    origin,
    timings: { stepMs: 100, startedAt: id * 1000, endedAt: id * 1000 + 100 },
    ...(decision ? { decision } : {}),
  };
}

/** @type {StepDecision} */
const LOW_ENTROPY = {
  policy: 'first-token',
  signal: 'entropy',
  value: 0.4213,
  threshold: 0.9,
  outcome: 'small-wrote',
  explanation: 'first-token entropy 0.42 nats < 0.9: the small model wrote the step',
};
/** @type {StepDecision} */
const HIGH_ENTROPY = {
  policy: 'first-token',
  signal: 'entropy',
  value: 1.32,
  threshold: 0.9,
  outcome: 'base-wrote',
  explanation: HOSTILE,
};

/** @param {Partial<PanelRun>} overrides @returns {PanelRun} */
function run(overrides = {}) {
  return {
    runId: 'run-p',
    mode: 'specreason',
    status: 'finished',
    startedAt: 1,
    threshold: 7,
    scoreMethod: 'greedy',
    tokenBudget: 8192,
    policy: 'first-token',
    speculation: { draftAhead: true, eagerFallback: false },
    steps: [step(0, 'base-forced'), step(1, 'small', LOW_ENTROPY), step(2, 'base-fallback', HIGH_ENTROPY)],
    ...overrides,
  };
}

/** @param {Partial<PanelState>} [overrides] @returns {PanelState} */
function panelState(overrides = {}) {
  return {
    protocolVersion: 1,
    kind: 'solve',
    problem: { text: 'Compute 1 - 1/2.' },
    runs: [],
    tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
    ...overrides,
  };
}

describe('step policy decisions in the reasoning panel (webview, Chromium)', function () {
  this.timeout(60000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 960, height: 900 } });

  /** @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page @param {string} selector */
  const text = async (page, selector) => (await page.textContent(selector)) ?? '';

  it('each step says which policy decided, on what signal, its value against the threshold, and why', async () => {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [run()] }) });
    await page.waitForSelector('article.step[data-step-id="2"]');

    // A forced step has no decision: no badge, no sentence.
    assert.equal(await page.locator('article.step[data-step-id="0"] .decision-badge').count(), 0);
    assert.equal(await page.locator('article.step[data-step-id="0"] .step-decision').count(), 0);

    const kept = 'article.step[data-step-id="1"]';
    assert.equal(await text(page, `${kept} .decision-badge`), 'first-token · entropy 0.42 < 0.9 → small wrote');
    assert.equal(await page.getAttribute(`${kept} .decision-badge`, 'data-policy'), 'first-token');
    assert.equal(await page.getAttribute(`${kept} .decision-badge`, 'title'), LOW_ENTROPY.explanation);
    assert.equal(await text(page, `${kept} .step-decision`), LOW_ENTROPY.explanation);
    assert.match((await page.getAttribute(kept, 'aria-label')) ?? '', /first-token · entropy 0\.42 < 0\.9/);

    const routed = 'article.step[data-step-id="2"]';
    assert.equal(await text(page, `${routed} .decision-badge`), 'first-token · entropy 1.32 ≥ 0.9 → base wrote');
    assert.equal(await page.getAttribute(`${routed} .decision-badge`, 'data-outcome'), 'base-wrote');
    // The explanation is engine text shown as text: markup in it stays characters.
    assert.equal(await text(page, `${routed} .step-decision`), HOSTILE);
    assert.equal(await page.locator(`${routed} .step-decision img`).count(), 0);

    // The run's header: the policy in the settings line, the speculation options on their own line.
    assert.equal(await text(page, '#run-settings'), 'This run: policy first-token · budget 8,192 tokens');
    assert.equal(await text(page, '#run-speculation'), 'Speculation: draft-ahead on · eager fallback off');
    assert.match((await page.getAttribute('#run-speculation', 'title')) ?? '', /change no decision/);
  });

  it('SpecReason runs say their speculation options; baselines and old records say none', async () => {
    const page = await openPanel();
    const spec = run({ policy: undefined, speculation: { draftAhead: false, eagerFallback: true }, steps: [] });
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [spec] }) });
    await page.waitForFunction(() => document.querySelector('#run-speculation')?.textContent !== '');
    assert.equal(await text(page, '#run-speculation'), 'Speculation: draft-ahead off · eager fallback on');
    assert.equal(await text(page, '#run-settings'), 'This run: threshold 7 (greedy) · budget 8,192 tokens');

    const baseline = run({ runId: 'run-b', mode: 'base', policy: undefined, speculation: undefined, steps: [] });
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [baseline] }) });
    await page.waitForSelector('#run-speculation', { state: 'hidden' });
    const old = run({ runId: 'run-o', policy: undefined, speculation: undefined, steps: [] });
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [old] }) });
    await page.waitForFunction(() => document.querySelector('#run-settings')?.textContent?.includes('threshold 7'));
    assert.equal(await page.locator('#run-speculation').isVisible(), false);
  });

  it('folds the engine events: run-start sets policy and speculation, a decision shows on the live step', async () => {
    const page = await openPanel();
    const live = run({ status: 'running', steps: [], policy: undefined, speculation: undefined });
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [live] }) });
    /** @type {RunEvent[]} */
    const events = [
      {
        type: 'run-start',
        runId: 'run-p',
        mode: 'specreason',
        problem: { text: 'Compute 1 - 1/2.' },
        // A partial config, as the reducer accepts it (the engine sends the whole redacted one).
        config: /** @type {any} */ ({
          threshold: 7,
          scoreMethod: 'greedy',
          tokenBudget: 8192,
          stepPolicy: 'first-token',
          draftAhead: false,
          eagerFallback: true,
        }),
        startedAt: 1,
      },
      { type: 'step-start', stepId: 0, origin: 'draft' },
      { type: 'delta', stepId: 0, model: 'small', phase: 'draft', text: 'Fir' },
      { type: 'decision', stepId: 0, decision: HIGH_ENTROPY },
    ];
    await send(page, { type: 'run/didUpdate', runId: 'run-p', from: 0, events });
    await page.waitForSelector('#live .decision-badge:not([hidden])');
    assert.equal(await text(page, '#live .decision-badge'), 'first-token · entropy 1.32 ≥ 0.9 → base wrote');
    assert.equal(await page.getAttribute('#live .decision-badge', 'title'), HOSTILE);
    assert.equal(await text(page, '#run-speculation'), 'Speculation: draft-ahead off · eager fallback on');
    assert.match(await text(page, '#run-settings'), /^This run: policy first-token · budget 8,192 tokens/);

    // The step is done: its record carries the decision; the live view is gone.
    /** @type {RunEvent} */
    const done = { type: 'step-done', record: step(0, 'base-fallback', HIGH_ENTROPY) };
    await send(page, { type: 'run/didUpdate', runId: 'run-p', from: events.length, events: [done] });
    await page.waitForSelector('article.step[data-step-id="0"] .decision-badge');
    assert.equal(await page.locator('#live').isVisible(), false);
  });
});
