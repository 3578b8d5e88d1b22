// @ts-check
// Plain words first (issue 19): the solve view's labels say what the numbers are without the paper's jargon
// (τ, "first 0 by base", "Kept tokens", "Overlap saved", "Spec-decode acceptance"); the precise term is in each
// tooltip; the step-time chart has its axes. Same harness as the other suites. Needs `node esbuild.js` first.

const assert = require('node:assert/strict');
const { usePanelHarness } = require('./support');

/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */

/** @param {number} id @param {number} ms @returns {StepRecord} */
function step(id, ms) {
  return /** @type {StepRecord} */ ({
    step_id: id,
    step_str: `Step ${id}.`,
    small_model_step: `Step ${id}.`,
    num_output_tokens_small: 10,
    score: 9,
    base_model_step: null,
    num_output_tokens_base: null,
    final_num_output_tokens: 10,
    origin: 'small',
    timings: { stepMs: ms, startedAt: 0, endedAt: 0 },
  });
}

/** @returns {PanelState} */
function state() {
  /** @type {PanelRun} */
  const run = {
    runId: 'r',
    mode: 'specreason',
    status: 'finished',
    startedAt: 0,
    threshold: 7,
    scoreMethod: 'greedy',
    tokenBudget: 8192,
    firstNBaseSteps: 2,
    steps: [step(0, 400), step(1, 1250), step(2, 800)],
    summary: /** @type {any} */ ({
      mode: 'specreason',
      stopReason: 'finished',
      wallMs: 2450,
      steps: 3,
      accepted: 3,
      rejected: 0,
      forced: 0,
      acceptanceRate: 1,
      keptTokens: 30,
      small: { tokens: 30, ms: 0, requests: 3, modelListRequests: 1, wastedTokens: 0 },
      base: { tokens: 3, ms: 0, requests: 3, modelListRequests: 1, wastedTokens: 0 },
      overlapSavedMs: 0,
      answer: '42',
    }),
  };
  return {
    protocolVersion: 1,
    kind: 'solve',
    problem: { text: 'What is 6 × 7?' },
    runs: [run],
    tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
    metrics: { specDecodeEnabled: false, prefixCacheHitRate: 0.5 },
  };
}

describe('plain words first (webview, Chromium)', function () {
  this.timeout(120000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 1000, height: 900 } });

  it('labels without jargon, the precise term in the tooltip; settings in words; an axis on the step-time chart', async function () {
    const page = await openPanel();
    await page.evaluate((m) => window.postMessage(m, '*'), { type: 'session/snapshot', state: state() });
    await page.waitForSelector('#timeline rect.bar');
    const stats = await page.$$eval('.stats .stat', (n) =>
      n.map((e) => ({ label: e.querySelector('dt')?.textContent ?? '', title: e.getAttribute('title') ?? '' })),
    );
    const labels = stats.map((s) => s.label).join(' | ');
    for (const jargon of ['τ', 'Kept tokens', 'Overlap saved', 'Spec-decode', 'Prefix-cache', 'Acceptance rate']) {
      assert.ok(!labels.includes(jargon), `"${jargon}" is not a label (${labels})`);
    }
    const titles = stats.map((s) => s.title).join(' | ');
    for (const term of [
      'Kept tokens',
      'Overlap saved',
      'Spec-decode acceptance',
      'Prefix-cache hit rate',
      'Acceptance rate',
    ]) {
      assert.ok(titles.includes(term), `the precise term "${term}" is in a tooltip`);
    }
    assert.equal(await page.textContent('[data-stat="kept"]'), '30 tokens');
    // The settings in words: no τ, no "first 0 by base" (nothing said when the base writes no step first).
    assert.equal(await page.textContent('#tuning-summary'), 'threshold 7 (greedy) · budget 8,192 tokens');
    assert.match((await page.getAttribute('#tuning-summary', 'title')) ?? '', /τ/);
    assert.equal(
      await page.textContent('#run-settings'),
      'This run: threshold 7 (greedy) · budget 8,192 tokens · base writes the first 2 steps',
    );
    // The step-time chart: the longest step's time and 0 up the side, step 1 to the last along the bottom.
    assert.deepEqual(await page.$$eval('.timeline-plot .axis-y span', (n) => n.map((e) => e.textContent)), [
      '1.25 s',
      '0',
    ]);
    assert.deepEqual(await page.$$eval('.timeline-plot .axis-x span', (n) => n.map((e) => e.textContent)), [
      'step 1',
      'step 3 →',
    ]);
    const [axis, chart] = await Promise.all([
      page.locator('.axis-y').boundingBox(),
      page.locator('#timeline').boundingBox(),
    ]);
    assert.ok(axis && chart && axis.x + axis.width <= chart.x + 1, 'the axis sits left of the bars');
  });
});
