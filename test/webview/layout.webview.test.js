// @ts-check
// Browser tests of the reasoning panel's layout (issue 12): the pin, the compare view (side by side when wide,
// stacked when narrow; summary card; sticky first column), the compact narrow layout and high-contrast themes.
// Same harness as panel.webview.test.js (test/webview/harness.html, strict CSP). Needs `node esbuild.js` first.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startServer, launchChromium } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/runRecord').StepRecord} StepRecord */
/** @typedef {import('../../src/core/runRecord').RunSummary} RunSummary */

const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const PROTOCOL_VERSION = 1;
/** @type {import('../../src/shared/protocol').TuningValues} */
const TUNING = { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' };

/** @param {Partial<PanelState>} [overrides] @returns {PanelState} */
function panelState(overrides = {}) {
  return {
    protocolVersion: PROTOCOL_VERSION,
    kind: 'solve',
    problem: { text: 'A rectangle has a perimeter of 30 cm and its length is twice its width. What is its area?' },
    runs: [],
    tuning: { ...TUNING },
    ...overrides,
  };
}

/** @param {number} id @param {StepRecord['origin']} origin @param {string} text @returns {StepRecord} */
function step(id, origin, text) {
  const small = origin === 'small' || origin === 'base-fallback';
  return /** @type {StepRecord} */ ({
    step_id: id,
    step_str: text,
    small_model_step: small ? text : null,
    num_output_tokens_small: small ? 12 : null,
    score: small ? (origin === 'small' ? 9 : 3) : null,
    base_model_step: small && origin === 'small' ? null : text,
    num_output_tokens_base: origin === 'small' ? null : 14,
    final_num_output_tokens: 12,
    origin,
    timings: { stepMs: 300 + 40 * id, startedAt: 0, endedAt: 0 },
  });
}

const STEPS = [
  step(0, 'base-forced', 'Let the width be $w$; the length is $2w$.'),
  step(1, 'small', 'The perimeter is $2(w + 2w) = 6w = 30$, so $w = 5$.'),
  step(2, 'base-fallback', 'The length is $2 \\cdot 5 = 10$.'),
  step(3, 'small', 'The area is $5 \\cdot 10 = 50$, so the answer is $\\boxed{50}$.'),
];

/** A finished run of a mode with its summary. @returns {PanelRun} */
function finishedRun(mode, wallMs, { answer = '50', steps = STEPS, acceptance = 2 / 3 } = {}) {
  const specreason = mode === 'specreason';
  return {
    runId: `run-${mode}`,
    mode,
    status: 'finished',
    startedAt: 0,
    threshold: 7,
    scoreMethod: 'greedy',
    tokenBudget: 8192,
    models: { base: 'Qwen/QwQ-32B', small: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B' },
    steps: specreason ? steps : [step(0, 'baseline', steps.map((s) => s.step_str).join('\n\n'))],
    summary: /** @type {RunSummary} */ ({
      mode,
      stopReason: 'finished',
      wallMs,
      ttftMs: 120,
      steps: specreason ? steps.length : 1,
      accepted: specreason ? 2 : 0,
      rejected: specreason ? 1 : 0,
      forced: specreason ? 1 : 0,
      acceptanceRate: specreason ? acceptance : undefined,
      keptTokens: 48,
      small: { tokens: specreason ? 36 : 0, requests: 3, wastedTokens: 12 },
      base: { tokens: specreason ? 28 : 60, requests: 2, wastedTokens: 0 },
      overlapSavedMs: 0,
      answer,
    }),
  };
}

describe('reasoning panel layout (webview, Chromium)', function () {
  this.timeout(120000);
  /** @type {import('node:http').Server} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  let baseUrl = '';
  /** @type {BrowserContext | undefined} */
  let context;
  /** @type {string[]} */
  let pageErrors;

  before(async function () {
    if (!fs.existsSync(path.join(ROOT, 'media/gen/webview.js'))) {
      throw new Error('media/gen/webview.js is missing: run `node esbuild.js` first');
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    const address = server.address();
    baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  beforeEach(function () {
    pageErrors = [];
  });

  afterEach(async function () {
    const pages = context ? context.pages() : [];
    const violations = pages.length ? await pages[0].evaluate(() => window.__cspViolations) : [];
    await context?.close();
    context = undefined;
    assert.deepEqual(pageErrors, [], 'page errors');
    assert.deepEqual(violations, [], 'CSP violations');
  });

  /** @param {string} [query] @param {{ width: number, height: number }} [viewport] */
  async function openPanel(query = '', viewport = { width: 1200, height: 900 }) {
    context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') {
        pageErrors.push(m.text());
      }
    });
    await page.goto(`${baseUrl}/test/webview/harness.html${query}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/ready'));
    return page;
  }

  /** @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page @param {string} type */
  const posted = (page, type) => page.evaluate((t) => window.__posted.filter((m) => m.type === t), type);
  /** @param {Page} page */
  const frames = (page) =>
    page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  /** @param {Page} page @param {string} name */
  async function shot(page, name) {
    await frames(page);
    await page.screenshot({ path: path.join(ARTIFACTS, `webview-${name}.png`), fullPage: true });
  }

  it('pin: the button posts panel/pin and shows the pinned state the host confirms', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [finishedRun('specreason', 2000)] }) });
    await page.waitForSelector('#btn-pin[aria-pressed="false"]');
    await page.click('#btn-pin');
    assert.deepEqual(await posted(page, 'panel/pin'), [{ type: 'panel/pin', pinned: true }]);
    await send(page, { type: 'panel/didPin', pinned: true });
    await page.waitForSelector('#btn-pin[aria-pressed="true"]');
    assert.equal(await page.textContent('#btn-pin'), 'Pinned');
    await page.click('#btn-pin');
    assert.deepEqual((await posted(page, 'panel/pin')).at(-1), { type: 'panel/pin', pinned: false });
    // A snapshot carries the pin too (a reloaded webview).
    await send(page, { type: 'session/snapshot', state: panelState({ pinned: false }) });
    await page.waitForSelector('#btn-pin[aria-pressed="false"]');
  });
});
