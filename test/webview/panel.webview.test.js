// @ts-check
// Browser tests of the reasoning panel (media/gen/webview.js) in headless Chromium, outside VS Code.
// test/webview/harness.html stands in for the host's HTML (same CSP); the tests drive the panel with
// the host's messages and read what it posts back. Needs a built bundle: `node esbuild.js`.
// Run: node_modules/.bin/mocha --timeout 60000 test/webview/*.webview.test.js

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startServer, launchChromium } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').FromWebview} FromWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').RunEvent} RunEvent */
/** @typedef {import('../../src/core/config').RunMode} RunMode */
/** @typedef {import('../../src/core/config').ScoreMethod} ScoreMethod */
/** @typedef {import('../../src/core/config').SpecReasonConfig} SpecReasonConfig */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */
/** @typedef {import('../../src/core/engine/runRecord').StepOrigin} StepOrigin */
/**
 * A scripted step: what the engine would have produced.
 * @typedef {{ origin: string, text: string, draft?: string, score?: number | null, method?: ScoreMethod,
 *   threshold?: number, tokens?: number, ms?: number, dist?: Record<string, number>, warning?: string, mode?: 'base' | 'small' }} StepSpec
 */
/** The fixtures' run config: the panel never reads it. */
const NO_CONFIG = /** @type {SpecReasonConfig} */ ({});

const ARTIFACTS = path.join(ROOT, 'test-artifacts');

// ---- fixtures: the host's messages, built the way the engine and applyRunEvent shape them ----

const PROTOCOL_VERSION = 1;
/** @type {import('../../src/shared/protocol').TuningValues} */
const TUNING = { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' };

/** @param {Partial<PanelState>} [overrides] @returns {PanelState} */
function panelState(overrides = {}) {
  return {
    protocolVersion: PROTOCOL_VERSION,
    kind: 'solve',
    problem: { text: 'Compute 1 - 1/2.' },
    runs: [],
    tuning: { ...TUNING },
    ...overrides,
  };
}

/**
 * @param {string} runId
 * @param {RunMode} [mode]
 * @param {{ threshold?: number, scoreMethod?: ScoreMethod, startedAt?: number }} [options]
 * @returns {PanelRun}
 */
function panelRun(runId, mode = 'specreason', { threshold = 7, scoreMethod = 'greedy', startedAt = Date.now() } = {}) {
  return { runId, mode, status: 'running', startedAt, threshold, scoreMethod, steps: [] };
}

/** Top logprobs for the score token from a {digit: probability} map (sampled token first). @param {Record<string, number>} dist */
function topLogprobs(dist) {
  return Object.entries(dist)
    .sort((a, b) => b[1] - a[1])
    .map(([token, p]) => ({ token, logprob: Math.log(p) }));
}

/** Two chunks, as a stream would deliver them. @param {string} text */
function chunks(text) {
  const half = Math.ceil(text.length / 2);
  return [text.slice(0, half), text.slice(half)].filter(Boolean);
}

let clock = 1_700_000_000_000;

/** The events of one step. @param {number} stepId @param {StepSpec} spec @returns {{ events: RunEvent[], record: StepRecord }} */
function stepEvents(stepId, spec) {
  const {
    origin,
    text,
    draft = text,
    score = /** @type {number | null} */ (null),
    method = 'greedy',
    threshold = 7,
    tokens = 24,
    ms = 400,
    dist,
    warning,
  } = spec;
  const startedAt = (clock += ms);
  /** @type {RunEvent[]} */
  const events = [];
  /** @type {StepRecord} */
  const record = {
    step_id: stepId,
    step_str: text,
    small_model_step: null,
    num_output_tokens_small: null,
    score: null,
    base_model_step: null,
    num_output_tokens_base: null,
    final_num_output_tokens: tokens,
    justification: null,
    origin: /** @type {StepOrigin} */ (origin),
    timings: { stepMs: ms, startedAt, endedAt: startedAt + ms },
  };
  if (warning) {
    record.warning = warning;
  }
  if (origin === 'small' || origin === 'base-fallback') {
    const top = dist ? topLogprobs(dist) : [{ token: String(Math.round(score ?? 0)), logprob: -0.05 }];
    events.push({ type: 'step-start', stepId, origin: 'draft' });
    for (const t of chunks(draft)) {
      events.push({ type: 'delta', stepId, model: 'small', phase: 'draft', text: t });
    }
    events.push({ type: 'draft-done', stepId, text: draft, tokens, ms: ms * 0.4 });
    events.push({
      type: 'score',
      stepId,
      score: score ?? 0,
      accepted: origin === 'small',
      threshold,
      method,
      topLogprobs: top,
      ms: ms * 0.1,
    });
    Object.assign(record, {
      small_model_step: draft,
      num_output_tokens_small: tokens,
      score,
      justification: String(Math.round(score ?? 0)),
      score_top_logprobs: top,
    });
    Object.assign(record.timings, { draftMs: ms * 0.4, scoreMs: ms * 0.1 });
    if (origin === 'base-fallback') {
      events.push({ type: 'fallback-start', stepId });
      for (const t of chunks(text)) {
        events.push({ type: 'delta', stepId, model: 'base', phase: 'fallback', text: t });
      }
      Object.assign(record, { base_model_step: text, num_output_tokens_base: tokens });
      record.timings.baseMs = ms * 0.5;
    }
  } else {
    const mode = origin === 'baseline' ? spec.mode || 'base' : 'base';
    events.push({ type: 'step-start', stepId, origin: origin === 'baseline' ? 'baseline' : 'base-forced' });
    for (const t of chunks(text)) {
      events.push({
        type: 'delta',
        stepId,
        model: mode,
        phase: origin === 'baseline' ? 'baseline' : 'forced',
        text: t,
      });
    }
    if (mode === 'small') {
      Object.assign(record, { small_model_step: text, num_output_tokens_small: tokens });
    } else {
      Object.assign(record, { base_model_step: text, num_output_tokens_base: tokens });
    }
    record.timings[mode === 'small' ? 'draftMs' : 'baseMs'] = ms;
  }
  events.push({ type: 'step-done', record });
  return { events, record };
}

/** @param {number} tokens @param {number} [wastedTokens] */
function totals(tokens, wastedTokens = 0) {
  return { tokens, ms: 0, requests: 0, modelListRequests: 0, wastedTokens };
}

/**
 * run-done with a summary computed from the records, as the engine's finish() does.
 * @param {string} runId @param {RunMode} mode @param {StepRecord[]} records
 * @param {Partial<import('../../src/core/engine/runRecord').RunSummary>} [extra]
 * @returns {RunEvent}
 */
function runDone(runId, mode, records, extra = {}) {
  const count = (/** @type {StepOrigin} */ origin) => records.filter((r) => r.origin === origin).length;
  const accepted = count('small');
  const rejected = count('base-fallback');
  const sum = (/** @type {(r: StepRecord) => number | null | undefined} */ pick) =>
    records.reduce((t, r) => t + (pick(r) || 0), 0);
  /** @type {import('../../src/core/engine/runRecord').RunSummary} */
  const summary = {
    mode,
    stopReason: 'finished',
    wallMs: sum((r) => r.timings.stepMs),
    ttftMs: 120,
    steps: records.length,
    accepted,
    rejected,
    forced: count('base-forced'),
    acceptanceRate: accepted + rejected ? accepted / (accepted + rejected) : undefined,
    keptTokens: sum((r) => r.final_num_output_tokens),
    small: totals(
      sum((r) => r.num_output_tokens_small),
      12,
    ),
    base: totals(
      sum((r) => r.num_output_tokens_base),
      30,
    ),
    overlapSavedMs: 250,
    ...extra,
  };
  return {
    type: 'run-done',
    record: {
      formatVersion: 1,
      runId,
      mode,
      startedAt: new Date(clock).toISOString(),
      config: NO_CONFIG,
      problem: { text: '' },
      prompt: '',
      models: {},
      steps: records,
      summary,
    },
  };
}

/**
 * A run's events from step specs, in order: run-start, the steps, run-done.
 * @param {string} runId @param {RunMode} mode @param {StepSpec[]} specs
 * @param {Partial<import('../../src/core/engine/runRecord').RunSummary>} [summaryExtra]
 */
function scriptedRun(runId, mode, specs, summaryExtra) {
  /** @type {RunEvent[]} */
  const events = [{ type: 'run-start', runId, mode, problem: { text: '' }, config: NO_CONFIG, startedAt: clock }];
  /** @type {StepRecord[]} */
  const records = [];
  specs.forEach((spec, i) => {
    const step = stepEvents(i, spec);
    events.push(...step.events);
    records.push(step.record);
  });
  events.push(runDone(runId, mode, records, summaryExtra));
  return events;
}

/** Events sent per run in this test: each batch says where in its run's sequence it starts. */
/** @type {Map<string, number>} */
const sentEvents = new Map();
/** @param {string} runId @param {RunEvent[]} events @returns {ToWebview} */
const update = (runId, events) => {
  const from = sentEvents.get(runId) ?? 0;
  sentEvents.set(runId, from + events.length);
  return { type: 'run/didUpdate', runId, from, events };
};

/** @type {StepSpec[]} */
const SIX_STEPS = [
  { origin: 'base-forced', text: 'We need $1 - \\frac{1}{2}$.\n\nWrite 1 as $\\frac{2}{2}$.' },
  {
    origin: 'small',
    text: 'Then $\\frac{2}{2} - \\frac{1}{2} = \\frac{1}{2}$.',
    score: 8.4,
    method: 'average',
    dist: { 9: 0.3, 8: 0.5, 7: 0.15, 6: 0.05 },
  },
  {
    origin: 'small',
    text: 'Check: $\\frac{1}{2} + \\frac{1}{2} = 1$, consistent.',
    score: 7.62,
    method: 'average',
    dist: { 8: 0.6, 7: 0.2, 6: 0.2 },
  },
  {
    origin: 'small',
    text: 'So the difference is one half.',
    score: 7.05,
    method: 'average',
    dist: { 7: 0.9, 8: 0.05, 6: 0.05 },
  },
  {
    origin: 'base-fallback',
    text: 'In decimal form, $0.5 = \\frac{1}{2}$.',
    draft: 'Hence the answer is $\\frac{1}{3}$, because $\\frac{2}{3} - \\frac{1}{3}$.',
    score: 3.1,
    method: 'average',
    dist: { 2: 0.4, 3: 0.3, 5: 0.3 },
  },
  {
    origin: 'small',
    text: 'So the answer is $\\boxed{\\frac{1}{2}}$.',
    score: 8.9,
    method: 'average',
    dist: { 9: 0.9, 8: 0.1 },
    warning: 'step_str had a </think>',
  },
];

// ---- the tests ----

describe('reasoning panel (webview, Chromium)', function () {
  /** @type {import('node:http').Server} */
  let server;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {string} */
  let baseUrl;
  /** Per test: the context, and errors the page reported. @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  /** @type {string[]} */
  let pageErrors;
  /** @type {boolean} */
  let expectCspViolation;

  before(async function () {
    const bundle = path.join(ROOT, 'media/gen/webview.js');
    if (!fs.existsSync(bundle)) {
      throw new Error('media/gen/webview.js is missing: run `node esbuild.js` first');
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    baseUrl = `http://127.0.0.1:${/** @type {import('node:net').AddressInfo} */ (server.address()).port}`;
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await /** @type {Promise<void>} */ (new Promise((resolve) => (server ? server.close(() => resolve()) : resolve())));
  });

  beforeEach(function () {
    sentEvents.clear();
    pageErrors = [];
    expectCspViolation = false;
  });

  afterEach(async function () {
    const pages = context ? context.pages() : [];
    const violations = pages.length ? await pages[0].evaluate(() => window.__cspViolations) : [];
    await context?.close();
    context = undefined;
    assert.deepEqual(pageErrors, [], 'page errors');
    if (!expectCspViolation) {
      assert.deepEqual(violations, [], 'CSP violations');
    }
  });

  async function openPanel(query = '', viewport = { width: 960, height: 1000 }) {
    context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await context.newPage();
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error' && !expectCspViolation) {
        pageErrors.push(m.text());
      }
    });
    await page.goto(`${baseUrl}/test/webview/harness.html${query}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/ready'));
    return page;
  }

  /** Post a host message to the panel. @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** What the panel posted, of one type or all. @param {Page} page @param {FromWebview['type']} [type] */
  const posted = (page, type) => page.evaluate((t) => window.__posted.filter((m) => !t || m.type === t), type);
  /** An element's text ('' when there is none). @param {Page} page @param {string} selector */
  const textOf = async (page, selector) => (await page.textContent(selector)) ?? '';
  /** @param {Page} page @param {string} selector */
  const texts = (page, selector) => page.$$eval(selector, (nodes) => nodes.map((n) => (n.textContent ?? '').trim()));
  /** Full-page screenshot: the viewport grows to the page first, since off-screen steps are not painted (content-visibility). */
  /** @param {Page} page @param {string} name */
  async function shot(page, name) {
    const viewport = page.viewportSize() ?? { width: 960, height: 1000 };
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 4000) });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    await page.screenshot({ path: path.join(ARTIFACTS, `webview-${name}.png`) });
    await page.setViewportSize(viewport);
  }

  it('announces itself once with the protocol version and renders nothing before the snapshot', async function () {
    const page = await openPanel();
    assert.deepEqual(await posted(page), [{ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION }]);
    assert.equal(await textOf(page, '#status'), 'Waiting for the extension…');
  });

  it('(a) renders a scripted 6-step run: origins, scores, the rejected draft, the boxed answer', async function () {
    const page = await openPanel();
    const run = panelRun('run-a', 'specreason', { threshold: 7, scoreMethod: 'average' });
    await send(page, {
      type: 'session/snapshot',
      state: panelState({
        runs: [run],
        simulated: true,
        tuning: { ...TUNING, firstNBaseSteps: 1, scoreMethod: 'average' },
      }),
    });
    await page.waitForSelector('#sim-badge', { state: 'visible' });
    assert.equal(await textOf(page, '#sim-badge'), 'SIMULATED model pair');
    assert.equal(await page.isVisible('#sim-notice'), false, 'no "no script" notice for a scripted problem');

    const events = scriptedRun('run-a', 'specreason', SIX_STEPS, { answer: '\\frac{1}{2}' });
    const firstHalf = events.findIndex((e) => e.type === 'step-done' && e.record.step_id === 2) + 1;
    await send(page, update('run-a', events.slice(0, firstHalf)));
    // The next step starts streaming: shown as plain text, math not typeset yet.
    const liveStart = events.findIndex((e, i) => i >= firstHalf && e.type === 'delta');
    await send(page, update('run-a', events.slice(firstHalf, liveStart + 1)));
    await page.waitForFunction(
      () =>
        document.querySelectorAll('#steps .step').length === 3 &&
        !(/** @type {HTMLElement} */ (document.querySelector('#live')).hidden),
    );
    assert.equal(await textOf(page, '#status'), 'Running');
    assert.equal(await page.isEnabled('#btn-cancel'), true);
    assert.match(await textOf(page, '#live'), /drafting…/);
    assert.equal(await page.$$eval('#live .katex', (n) => n.length), 0);

    await send(page, update('run-a', events.slice(liveStart + 1)));
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Finished');
    assert.deepEqual(await page.$$eval('#steps .step', (n) => n.map((e) => e.dataset.origin)), [
      'base-forced',
      'small',
      'small',
      'small',
      'base-fallback',
      'small',
    ]);
    assert.deepEqual(await page.$$eval('#steps .step', (n) => n.map((e) => e.dataset.stepId)), [
      '0',
      '1',
      '2',
      '3',
      '4',
      '5',
    ]);
    assert.deepEqual(await texts(page, '#steps .origin-tag'), [
      'base · first N',
      'small · accepted',
      'small · accepted',
      'small · accepted',
      'base · after rejection',
      'small · accepted',
    ]);
    assert.deepEqual(await texts(page, '.step .score'), ['8.40', '7.62', '7.05', '3.10', '8.90']);
    assert.deepEqual(await page.$$eval('.step .score', (n) => n.map((e) => e.classList.contains('accept'))), [
      true,
      true,
      true,
      false,
      true,
    ]);
    assert.equal(await page.$$eval('.step svg.dist', (n) => n.length), 5, 'a distribution chart per scored step');
    assert.equal(
      await page.$$eval('.step:first-child .step-text p', (n) => n.length),
      2,
      'paragraphs split on blank lines',
    );
    assert.ok((await page.$$eval('.step .step-text .katex', (n) => n.length)) >= 6, 'math typeset once steps complete');
    assert.match(await textOf(page, '.step[data-step-id="5"] .step-warning'), /<\/think>/);

    const drafts = await page.$$('.rejected-draft');
    assert.equal(drafts.length, 1);
    assert.equal(await page.$eval('.rejected-draft', (d) => /** @type {HTMLDetailsElement} */ (d).open), false);
    assert.equal(await textOf(page, '.rejected-draft summary'), 'Rejected draft (score 3.10)');
    assert.equal(
      await page.$eval('.rejected-draft', (d) => /** @type {HTMLElement} */ (d.closest('.step')).dataset.origin),
      'base-fallback',
    );
    await page.click('.rejected-draft summary');
    await page.waitForSelector('.rejected-draft .draft-text .katex');

    assert.ok(await page.$('#answer .katex'), 'answer typeset');
    assert.match(await page.$eval('#answer annotation', (a) => a.textContent), /\\boxed\{\\frac\{1\}\{2\}\}/);
    assert.equal(await page.$$eval('#timeline rect.bar', (n) => n.length), 6);
    assert.match(String(await page.getAttribute('#timeline', 'aria-label')), /6 steps/);
    assert.equal(await page.getAttribute('#timeline', 'role'), 'img');
    assert.equal(await page.isVisible('#live'), false);
    assert.equal(await page.isEnabled('#btn-cancel'), false);
    assert.equal(await textOf(page, '[data-stat="steps"]'), '6');
    assert.equal(await textOf(page, '[data-stat="acceptance"]'), '80.0%');
    assert.equal(await textOf(page, '[data-stat="specDecode"]'), 'unknown');

    await send(page, { type: 'metrics/didUpdate', metrics: { specDecodeAcceptance: 0.625, prefixCacheHitRate: 0.9 } });
    await page.waitForFunction(() => document.querySelector('[data-stat="specDecode"]')?.textContent === '62.5%');
    assert.equal(await textOf(page, '[data-stat="prefixCache"]'), '90.0%');
    await shot(page, 'solve');
    await page.setViewportSize({ width: 480, height: 1000 });
    await shot(page, 'solve-narrow');
    await page.goto(`${baseUrl}/test/webview/harness.html?theme=light`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/ready'));
    // All six steps come back from the saved state (a count: `visible` can lag content-visibility: auto).
    await page.waitForFunction(() => document.querySelectorAll('#steps .step').length === 6);
    await shot(page, 'solve-light');
  });

  it('(b) renders hostile model output as inert text, survives KaTeX bombs, and breaks no CSP rule', async function () {
    const page = await openPanel();
    const hostile = '<img src=x onerror=window.__pwned=1> and <script>window.__pwned=1</script>';
    const nested = (/** @type {number} */ n) => `${'\\frac{'.repeat(n)}x${'}{y}'.repeat(n)}`;
    const specs = [
      {
        origin: 'small',
        score: 9,
        text: `${hostile}\n\n<iframe srcdoc="<script>parent.__pwned=1</script>"></iframe> <a href="javascript:window.__pwned=1">x</a>`,
      },
      {
        origin: 'small',
        score: 9,
        text: 'Expansion bomb: $\\def\\a{\\a\\a}\\a$ and $\\gdef\\b#1{#1#1}\\b{\\b{\\b{\\b{\\b{\\b{\\b{\\b{x}}}}}}}}$',
      },
      { origin: 'small', score: 9, text: `Deep nesting: $$${nested(10_000)}$$ and moderate: $$${nested(150)}$$` },
      { origin: 'small', score: 9, text: 'Huge rule: $\\rule{999em}{999em}$ and size $\\Huge\\Huge x$' },
      {
        origin: 'small',
        score: 9,
        text: 'Trust: $\\href{javascript:window.__pwned=1}{click}$ $\\url{javascript:alert(1)}$ $\\includegraphics{x.png}$ $\\htmlStyle{color:red}{x}$ $\\htmlData{foo=1}{x}$',
      },
      {
        origin: 'small',
        score: 9,
        text: 'SVG-drawing commands: $\\sqrt{x^2+1}$ $\\overrightarrow{AB}$ $\\widehat{xyz}$ $\\cancel{5}$ $\\fbox{a}$ $\\underbrace{a+b}_{n}$ $\\xrightarrow{f}$ $\\boxed{1}$ $\\begin{pmatrix}1&2\\\\3&4\\end{pmatrix}$ $\\color{red}{r}$',
      },
      { origin: 'base-fallback', score: 1, text: 'fine', draft: `draft ${hostile} $\\def\\a{\\a\\a}\\a$` },
    ];
    const run = panelRun('run-b');
    const state = panelState({ runs: [run], problem: { text: `Problem ${hostile}` } });
    await send(page, { type: 'session/snapshot', state });
    const events = scriptedRun('run-b', 'specreason', specs, { answer: '<img src=x onerror=window.__pwned=1>' });
    const started = Date.now();
    await send(page, update('run-b', events));
    await page.waitForFunction(
      (n) =>
        document.querySelectorAll('#steps .step').length === n &&
        document.querySelector('#status')?.textContent === 'Finished',
      specs.length,
    );
    const renderMs = Date.now() - started;
    await page.click('.rejected-draft summary');
    await page.waitForTimeout(100);

    console.log(`      rendered the bombs in ${renderMs} ms`);
    for (const tag of ['img', 'script', 'iframe', 'a']) {
      assert.equal(await page.$$eval(`#app ${tag}`, (n) => n.length), 0, `no <${tag}> element in the panel`);
    }
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    const first = await textOf(page, '.step[data-step-id="0"] .step-text');
    assert.ok(
      first.includes('<img src=x onerror=window.__pwned=1>') && first.includes('<script>window.__pwned=1</script>'),
      first,
    );
    assert.ok((await textOf(page, '.problem')).includes(hostile));
    assert.ok((await textOf(page, '.rejected-draft')).includes('<img src=x onerror=window.__pwned=1>'));
    // The 10k-level \frac is over the length cap and stays text; the rule is capped by maxSize.
    assert.ok(await page.$('.step[data-step-id="2"] .math-raw'));
    const ruleBox = await page.$eval('.step[data-step-id="3"] .step-text', (n) => n.getBoundingClientRect().height);
    assert.ok(ruleBox < 600, `\\rule is capped (${ruleBox}px)`);
    assert.deepEqual(await posted(page, 'webview/cspViolation'), []);
    await shot(page, 'hostile');
  });

  it('(c) tuning strip posts numeric settings and rejects out-of-range values inline', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState() });
    await page.waitForFunction(
      () => /** @type {HTMLInputElement} */ (document.querySelector('#tuning-threshold')).value === '7',
    );
    assert.equal(await page.inputValue('#tuning-token-budget'), '8192');
    assert.equal(await page.inputValue('#tuning-first-n'), '0');
    assert.equal(await page.inputValue('#tuning-score-method'), 'greedy');
    assert.equal(await page.inputValue('#tuning-target'), 'user');
    for (const id of [
      'tuning-threshold',
      'tuning-score-method',
      'tuning-token-budget',
      'tuning-first-n',
      'tuning-target',
    ]) {
      assert.ok(await page.$(`label[for="${id}"]`), `${id} has a label`);
    }

    const commit = async (/** @type {string} */ selector, /** @type {string} */ value) => {
      await page.fill(selector, value);
      await page.press(selector, 'Tab');
    };
    await commit('#tuning-threshold', '7.5');
    await commit('#tuning-token-budget', '4096');
    await commit('#tuning-first-n', '2');
    await page.selectOption('#tuning-score-method', 'average');
    await page.selectOption('#tuning-target', 'workspace');
    assert.deepEqual((await posted(page)).slice(1), [
      { type: 'settings/update', key: 'threshold', value: 7.5 },
      { type: 'settings/update', key: 'tokenBudget', value: 4096 },
      { type: 'settings/update', key: 'firstNBaseSteps', value: 2 },
      { type: 'settings/update', key: 'scoreMethod', value: 'average' },
      { type: 'settings/target', target: 'workspace' },
    ]);
    // A render before the host echoes the new settings keeps what the user committed.
    await send(page, { type: 'metrics/didUpdate', metrics: { prefixCacheHitRate: 0.5 } });
    await page.waitForFunction(() => document.querySelector('[data-stat="prefixCache"]')?.textContent === '50.0%');
    assert.equal(await page.inputValue('#tuning-threshold'), '7.5');
    assert.equal(await page.inputValue('#tuning-score-method'), 'average');

    await commit('#tuning-threshold', '12');
    await commit('#tuning-token-budget', '0');
    await commit('#tuning-first-n', '1.5');
    assert.equal((await posted(page, 'settings/update')).length, 4, 'nothing posted for invalid values');
    assert.equal(await page.isVisible('#tuning-message'), true);
    assert.equal(await page.getAttribute('#tuning-threshold', 'aria-invalid'), 'true');
    await page.focus('#tuning-threshold');
    await page.fill('#tuning-threshold', '12');
    assert.match(await textOf(page, '#tuning-message'), /Threshold must be between 0 and 9/);
    await shot(page, 'tuning');

    // The host's settings reach the strip, but not the field being edited.
    await send(page, {
      type: 'settings/didChange',
      tuning: { threshold: 6, scoreMethod: 'greedy', tokenBudget: 2048, firstNBaseSteps: 3, target: 'user' },
    });
    await page.waitForFunction(
      () => /** @type {HTMLSelectElement} */ (document.querySelector('#tuning-score-method')).value === 'greedy',
    );
    assert.equal(await page.inputValue('#tuning-threshold'), '12');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'tuning-threshold');
    await commit('#tuning-threshold', '8');
    await commit('#tuning-token-budget', '2048');
    await commit('#tuning-first-n', '3');
    assert.equal(await page.isVisible('#tuning-message'), false);
    assert.deepEqual(
      (await posted(page, 'settings/update')).slice(4).map((m) => [m.key, m.value]),
      [
        ['threshold', 8],
        ['tokenBudget', 2048],
        ['firstNBaseSteps', 3],
      ],
    );
  });

  it("says when the simulated pair has no script for the problem (its replies are the sample problem's)", async function () {
    const page = await openPanel();
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ runs: [panelRun('run-u', 'specreason')], simulated: true, simulatedWithoutScript: true }),
    });
    await page.waitForSelector('#sim-notice', { state: 'visible' });
    assert.match(await textOf(page, '#sim-notice'), /no script for this problem: its replies are the sample problem/);
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ runs: [panelRun('run-s', 'specreason')], simulated: true }),
    });
    await page.waitForSelector('#sim-notice', { state: 'hidden' });
  });

  it('a run opened from an evaluation shows its gold answer and verdict (typeset, inert)', async function () {
    const page = await openPanel('?simulated=true');
    const summary = /** @type {any} */ (runDone('run-g', 'specreason', [], { answer: '\\frac{2}{5}' })).record.summary;
    /** @type {PanelRun} */
    const run = { ...panelRun('run-g', 'specreason'), status: 'finished', summary };
    await send(page, {
      type: 'session/snapshot',
      state: panelState({
        runs: [run],
        simulated: true,
        graded: { gold: '\\frac{5}{6}', correct: false, extracted: '\\frac{2}{5}', rule: 'numeric' },
      }),
    });
    await page.waitForSelector('#answer-grade', { state: 'visible' });
    assert.equal(await page.getAttribute('#answer-grade', 'data-verdict'), 'wrong');
    assert.match(await textOf(page, '#answer-grade .verdict'), /✗ wrong/);
    assert.match(await page.$eval('#answer-grade annotation', (a) => a.textContent), /\\frac\{5\}\{6\}/);
    assert.match(await textOf(page, '#answer-grade'), /gold answer .* \(rule: numeric\)/);
    await send(page, {
      type: 'session/snapshot',
      state: panelState({
        runs: [{ ...run, runId: 'run-h' }],
        graded: { gold: '<img src=x onerror=alert(1)>', correct: true, extracted: 'x', rule: 'exact' },
      }),
    });
    await page.waitForFunction(
      () => document.querySelector('#answer-grade')?.getAttribute('data-verdict') === 'correct',
    );
    assert.equal(await page.$('#answer-grade img'), null, 'a hostile gold stays text');
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [{ ...run, runId: 'run-i' }] }) });
    await page.waitForSelector('#answer-grade', { state: 'hidden' });
  });

  it('(d) compare view: a column per run, the table, the speedup and answer agreement', async function () {
    const page = await openPanel('?simulated=true');
    const spec = panelRun('cmp-spec', 'specreason');
    const base = panelRun('cmp-base', 'base');
    await send(page, { type: 'session/snapshot', state: panelState({ kind: 'compare', runs: [spec, base] }) });
    await send(
      page,
      update(
        'cmp-spec',
        scriptedRun(
          'cmp-spec',
          'specreason',
          [
            { origin: 'small', score: 8, text: 'Write $1 = \\frac{2}{2}$.' },
            {
              origin: 'base-fallback',
              score: 4,
              text: 'Subtract: $\\frac{2}{2}-\\frac{1}{2}=\\frac{1}{2}$.',
              draft: 'It is $\\frac{1}{3}$.',
            },
            { origin: 'small', score: 9, text: 'Answer: $\\boxed{\\frac12}$' },
          ],
          { answer: '\\frac{1}{2}', wallMs: 4000 },
        ),
      ),
    );
    const baseline =
      'Let me think.\n\nWe have $1 - \\frac{1}{2}$.\n\nThat is $\\frac{1}{2}$.\n\nSo \\boxed{\\frac{1}{2}}';
    await send(
      page,
      update(
        'cmp-base',
        scriptedRun('cmp-base', 'base', [{ origin: 'baseline', text: baseline, tokens: 300, ms: 9000 }], {
          answer: '\\frac{1}{2}',
          wallMs: 9000,
        }),
      ),
    );
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent !== '—');

    assert.deepEqual(await page.$$eval('.compare-column', (n) => n.map((e) => e.dataset.mode)), ['specreason', 'base']);
    assert.equal(await page.$$eval('.compare-column[data-mode="specreason"] .step', (n) => n.length), 3);
    assert.equal(
      await page.$$eval(
        '.compare-column[data-mode="base"] .step[data-origin="baseline"] .step-text p',
        (n) => n.length,
      ),
      4,
    );
    assert.equal(await textOf(page, '#speedup'), '2.25× faster');
    assert.match(await textOf(page, '.compare-summary'), /answers agree/);
    assert.equal(await page.$$eval('.compare-table tbody tr', (n) => n.length), 2);
    const headers = await texts(page, '.compare-table thead th');
    for (const h of [
      'Wall time',
      'First token',
      'Small tokens',
      'Base tokens',
      'Steps',
      'Acceptance',
      'Answer',
      'Stop reason',
      'Wasted tokens',
    ]) {
      assert.ok(headers.includes(h), `column ${h}`);
    }
    assert.equal(await textOf(page, '.compare-table tr[data-mode="specreason"] td[data-col="wall"]'), '4.00 s');
    assert.equal(await textOf(page, '.compare-table tr[data-mode="base"] td[data-col="wall"]'), '9.00 s');
    assert.ok(await page.$('.compare-table tr[data-mode="base"] td[data-col="answer"] .katex'));
    assert.equal(await page.isVisible('#sim-badge'), true, 'data-simulated="true" shows the badge');

    // A third run (small only) starts and streams into its own column.
    await send(page, { type: 'run/didStart', run: panelRun('cmp-small', 'small') });
    await send(
      page,
      update('cmp-small', [
        { type: 'step-start', stepId: 0, origin: 'baseline' },
        { type: 'delta', stepId: 0, model: 'small', phase: 'baseline', text: 'Quick: $1/2$ so' },
      ]),
    );
    await page.waitForFunction(() => document.querySelectorAll('.compare-column').length === 3);
    await page.waitForFunction(() =>
      /Quick: \$1\/2\$ so/.test(document.querySelector('.compare-column[data-mode="small"] .live')?.textContent ?? ''),
    );
    assert.equal(await textOf(page, '#status'), 'Running');
    assert.match(await textOf(page, '.compare-summary'), /answers: not all known yet|answers agree/);
    await shot(page, 'compare');
  });

  it('shows a run error inline with the partial steps and offers Re-run; buttons post their messages', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [panelRun('run-e')] }) });
    const steps = scriptedRun('run-e', 'specreason', [
      { origin: 'small', score: 8, text: 'First step.' },
      { origin: 'small', score: 9, text: 'Second step.' },
    ]).slice(0, -1);
    /** @type {import('../../src/core/errors').ErrorInfo} */
    const error = {
      code: 'server_down',
      message: 'No server at http://localhost:30001/v1 — is vLLM running?',
      hint: 'Start the small model server or fix specreason.small.baseUrl.',
      server: { role: 'small', url: 'http://localhost:30001/v1' },
    };
    /** @type {RunEvent[]} */
    const partial = [
      { type: 'step-start', stepId: 2, origin: 'draft' },
      { type: 'delta', stepId: 2, model: 'small', phase: 'draft', text: 'Third st' },
    ];
    await send(page, update('run-e', [...steps, ...partial]));
    await page.waitForFunction(() => document.querySelectorAll('#steps .step').length === 2);
    await page.click('#btn-cancel');
    const done = runDone('run-e', 'specreason', [], { stopReason: 'error', error, steps: 2 });
    await send(page, update('run-e', [{ type: 'error', error }, done]));
    await page.waitForSelector('#error', { state: 'visible' });

    assert.equal(await page.getAttribute('#error', 'role'), 'alert');
    assert.match(await textOf(page, '#error'), /No server at http:\/\/localhost:30001\/v1/);
    assert.match(await textOf(page, '#error'), /Start the small model server/);
    assert.equal(await textOf(page, '#status'), 'Error');
    assert.equal(await page.$$eval('#steps .step', (n) => n.length), 2, 'partial steps stay');
    assert.match(await textOf(page, '#live'), /Third st/);
    assert.equal(await page.isEnabled('#btn-cancel'), false);
    await page.click('#error button:has-text("Re-run")');
    for (const id of ['btn-rerun', 'btn-export-json', 'btn-copy-md', 'btn-settings', 'btn-check-servers']) {
      await page.click(`#${id}`);
    }
    assert.deepEqual((await posted(page)).slice(1), [
      { type: 'run/cancel' },
      { type: 'run/rerun' },
      { type: 'run/rerun' },
      { type: 'export/json' },
      { type: 'export/markdown' },
      { type: 'command/run', command: 'openSettings' },
      { type: 'command/run', command: 'checkServers' },
    ]);
    await shot(page, 'error');
  });

  it('restores its persisted state after a reload, before the snapshot arrives', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [panelRun('run-r')] }) });
    await send(page, update('run-r', scriptedRun('run-r', 'specreason', SIX_STEPS.slice(0, 3), { answer: '2' })));
    await page.waitForFunction(() => document.querySelectorAll('#steps .step').length === 3);
    await page.waitForTimeout(1300); // setState is throttled
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#steps .step').length === 3);
    assert.equal(await textOf(page, '#status'), 'Finished');
    // A stale protocol version is dropped (written after the panel's own saves as the page goes away).
    await page.evaluate(() => {
      const stale = () =>
        sessionStorage.setItem(
          'specreason.harness.state',
          JSON.stringify({ protocolVersion: 0, kind: 'solve', runs: [] }),
        );
      window.addEventListener('pagehide', stale);
      document.addEventListener('visibilitychange', stale);
    });
    await page.reload();
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/ready'));
    assert.equal(await page.$$eval('#steps .step', (n) => n.length), 0);
  });

  it('applies each event once: a batch the snapshot already holds is skipped, a gap asks for a new snapshot', async function () {
    const page = await openPanel();
    const events = scriptedRun('run-s', 'specreason', SIX_STEPS.slice(0, 3), { answer: '2' });
    const firstStepEnd = events.findIndex((e) => e.type === 'step-done') + 1;
    // The host's state already holds step 1 (queued for the next batch when the webview said ready).
    const run = panelRun('run-s');
    run.steps = [/** @type {Extract<RunEvent, { type: 'step-done' }>} */ (events[firstStepEnd - 1]).record];
    run.eventsApplied = firstStepEnd;
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [run] }) });
    // The queued batch arrives anyway (from 0), then the rest.
    await send(page, update('run-s', events.slice(0, firstStepEnd)));
    await send(page, update('run-s', events.slice(firstStepEnd)));
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Finished');
    assert.deepEqual(await page.$$eval('#steps .step', (n) => n.map((e) => e.dataset.stepId)), ['0', '1', '2']);
    assert.equal(await page.$$eval('#timeline .bar', (n) => n.length), 3);
    const readies = (await posted(page, 'webview/ready')).length;
    await send(page, { type: 'run/didUpdate', runId: 'run-s', from: events.length + 5, events: events.slice(0, 1) });
    await page.waitForFunction(
      (n) => window.__posted.filter((m) => m.type === 'webview/ready').length === n + 1,
      readies,
    );
    assert.equal(await page.$$eval('#steps .step', (n) => n.length), 3, 'nothing applied past a gap');
  });

  it('a cancelled run says so in the answer box; each run shows its own settings and models; the strip is for the next run', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [panelRun('run-c')] }) });
    const events = scriptedRun('run-c', 'specreason', SIX_STEPS.slice(1, 3)).slice(0, -1);
    const start = /** @type {Extract<RunEvent, { type: 'run-start' }>} */ (events[0]);
    start.config = /** @type {SpecReasonConfig} */ ({
      threshold: 6,
      scoreMethod: 'greedy',
      tokenBudget: 4096,
      firstNBaseSteps: 0,
    });
    const done = /** @type {Extract<RunEvent, { type: 'run-done' }>} */ (
      runDone('run-c', 'specreason', [], { stopReason: 'cancelled', steps: 2 })
    );
    done.record.models = { base: 'Qwen/QwQ-32B', small: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B' };
    await send(page, update('run-c', [...events, done]));
    await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Cancelled');
    assert.equal(await textOf(page, '#answer .answer-body'), 'Cancelled before an answer (2 steps kept)');
    assert.equal(
      await textOf(page, '#run-settings'),
      'This run: threshold 6 (greedy) · budget 4,096 tokens · base Qwen/QwQ-32B · small deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
    );
    assert.equal(await textOf(page, '#tuning-next'), 'Next run:');
    assert.match(String(await page.getAttribute('.tuning', 'aria-label')), /next run/);
  });

  it('reports CSP violations to the host', async function () {
    expectCspViolation = true;
    const page = await openPanel();
    await page.evaluate(() => document.body.setAttribute('style', 'color: red'));
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/cspViolation'));
    const [report] = await posted(page, 'webview/cspViolation');
    assert.match(report.directive, /^style-src/);
  });

  it('(f) a finished run brings its answer and numbers into view, unless the reader scrolled away', async function () {
    /** Where the result box is against the viewport. @param {Page} p */
    const resultInView = (p) =>
      p.evaluate(() => {
        const box = /** @type {HTMLElement} */ (document.querySelector('#result')).getBoundingClientRect();
        return box.top >= -1 && box.top < window.innerHeight && box.bottom > 0;
      });
    const long = (/** @type {number} */ n) =>
      Array.from({ length: n }, (_, i) => ({
        origin: /** @type {const} */ ('small'),
        score: 8,
        text: `Step ${i}: a long line of reasoning about $x_{${i}}$.\n\nAnd more about it, so the page grows.`,
      }));
    for (const kind of /** @type {const} */ (['solve', 'compare'])) {
      for (const scrolledAway of [false, true]) {
        sentEvents.clear();
        // Stacked compare columns (under 720 px) grow the page as they stream, as a solve does.
        const page = await openPanel('', { width: 640, height: 600 });
        const runs = kind === 'compare' ? [panelRun('f-spec'), panelRun('f-base', 'base')] : [panelRun('f-spec')];
        await send(page, { type: 'session/snapshot', state: panelState({ kind, runs }) });
        const events = scriptedRun('f-spec', 'specreason', long(40), { answer: '42', wallMs: 3000 });
        const done = events.pop();
        if (kind === 'compare') {
          const baseEvents = scriptedRun('f-base', 'base', [{ origin: 'baseline', text: 'So $\\boxed{42}$.' }], {
            answer: '42',
            wallMs: 6000,
          });
          await send(page, update('f-base', baseEvents));
        }
        for (let i = 0; i < events.length; i += 25) {
          await send(page, update('f-spec', events.slice(i, i + 25)));
          await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
        }
        // The panel followed the stream: the result is above the viewport.
        assert.equal(await resultInView(page), false, `${kind}: the stream was followed to the bottom`);
        let scrollY = 0;
        if (scrolledAway) {
          await page.evaluate(() => window.scrollBy(0, -600));
          await page.waitForFunction(() => window.scrollY + window.innerHeight < document.body.scrollHeight - 100);
          scrollY = await page.evaluate(() => window.scrollY);
        }
        await send(page, update('f-spec', [/** @type {RunEvent} */ (done)]));
        await page.waitForFunction(() => document.querySelector('#status')?.textContent === 'Finished');
        await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => resolve(undefined))));
        if (scrolledAway) {
          // (Scroll anchoring may shift it by a line as the live step gives way to the last step.)
          const after = await page.evaluate(() => window.scrollY);
          assert.ok(Math.abs(after - scrollY) < 60, `${kind}: the reader's place is kept (${scrollY} → ${after})`);
          assert.equal(await resultInView(page), false);
        } else {
          assert.equal(await resultInView(page), true, `${kind}: the result is in view when the run ends`);
          const sel = kind === 'solve' ? '#answer' : '#compare-card';
          const box = await page.$eval(sel, (e) => {
            const r = e.getBoundingClientRect();
            return { top: r.top, bottom: r.bottom };
          });
          assert.ok(box.top >= -1 && box.bottom <= 600, `${kind}: ${sel} fully visible (${box.top}–${box.bottom})`);
        }
        await context?.close();
        context = undefined;
      }
    }
  });

  /** Every step on screen is built (off-screen ones may still be placeholders): waits a few frames for it. */
  async function assertBuiltInView(/** @type {Page} */ page) {
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('#steps .step.pending')].some((e) => {
          const box = e.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        }),
      undefined,
      { timeout: 10000 },
    );
    const inView = await page.$$eval(
      '#steps .step',
      (steps) =>
        steps.filter((e) => {
          const box = e.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        }).length,
    );
    assert.ok(inView > 0, 'some steps are in view');
  }

  it('(e) renders a 500-step run sent in batches of events, building the steps in view', async function () {
    const page = await openPanel();
    const run = panelRun('run-500');
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [run] }) });
    const specs = Array.from({ length: 500 }, (_, i) =>
      i % 10 === 9
        ? {
            origin: 'base-fallback',
            score: 3,
            text: `Step ${i}: redo with $x_{${i}} = ${i}^2$ carefully.`,
            draft: `Step ${i}: guess $x = ${i}$.`,
            ms: 900 + (i % 7) * 50,
          }
        : {
            origin: 'small',
            score: 8,
            text: `Step ${i}: since $a_{${i}} = a_{${i - 1}} + 1$, we get ${i}.\n\nThen continue.`,
            ms: 300 + (i % 13) * 20,
          },
    );
    const events = scriptedRun('run-500', 'specreason', specs, { answer: '499' });
    const BATCH = 40;
    const batches = [];
    for (let i = 0; i < events.length; i += BATCH) {
      batches.push(update('run-500', events.slice(i, i + BATCH)));
    }

    const result = await page.evaluate(async (messages) => {
      // The panel's frame callback was requested during dispatch, so it runs before ours in the same
      // frame; ours measures from the frame's start to its own start.
      const frame = () => new Promise((resolve) => requestAnimationFrame((ts) => resolve(performance.now() - ts)));
      let applyMs = 0;
      const frames = [];
      const started = performance.now();
      for (const data of messages) {
        const t = performance.now();
        window.dispatchEvent(new MessageEvent('message', { data }));
        applyMs += performance.now() - t;
        frames.push(await frame());
      }
      const wallMs = performance.now() - started;
      const sorted = [...frames].sort((a, b) => a - b);
      const at = (/** @type {number} */ q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
      return {
        applyMs,
        renderMs: frames.reduce((a, b) => a + b, 0),
        p50: at(0.5),
        p95: at(0.95),
        maxFrameMs: sorted[sorted.length - 1],
        wallMs,
        batches: messages.length,
      };
    }, batches);
    assert.equal(await page.$$eval('#steps .step', (n) => n.length), 500);
    assert.equal(await page.$$eval('#steps .step[data-origin="base-fallback"]', (n) => n.length), 50);
    assert.equal(await page.$$eval('#timeline rect.bar', (n) => n.length), 500);
    assert.equal(await textOf(page, '#status'), 'Finished');
    assert.equal(await textOf(page, '[data-stat="steps"]'), '500');
    await assertBuiltInView(page);
    // Scrolling to the middle builds what comes into view.
    await page.evaluate(() => document.querySelector('#steps .step[data-step-id="250"]')?.scrollIntoView());
    await page.waitForFunction(() => !document.querySelector('#steps .step[data-step-id="250"]')?.matches('.pending'));
    await assertBuiltInView(page);

    // The same 500 steps from one snapshot (a reopened panel renders everything at once).
    const snapshotMs = await page.evaluate(async (evs) => {
      const run = {
        runId: 'run-500b',
        mode: 'specreason',
        status: 'running',
        startedAt: Date.now(),
        threshold: 7,
        scoreMethod: 'greedy',
        steps: [],
      };
      const steps = evs.filter((e) => e.type === 'step-done').map((e) => e.record);
      Object.assign(run, {
        steps,
        status: 'finished',
        summary: /** @type {any} */ (evs[evs.length - 1]).record.summary,
      });
      const state = {
        protocolVersion: 1,
        kind: 'solve',
        problem: { text: 'snapshot' },
        runs: [run],
        tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
      };
      const t = performance.now();
      window.dispatchEvent(new MessageEvent('message', { data: { type: 'session/snapshot', state } }));
      await /** @type {Promise<void>} */ (new Promise((resolve) => requestAnimationFrame(() => resolve())));
      return performance.now() - t;
    }, events);
    assert.equal(await page.$$eval('#steps .step', (n) => n.length), 500);
    await assertBuiltInView(page);
    // After the snapshot, steps far from the view (around step 250) are placeholders: label, place and plain
    // text (the find widget finds it).
    const far = await page.$eval('#steps .step[data-step-id="99"]', (e) => ({
      pending: e.classList.contains('pending'),
      label: e.getAttribute('aria-label'),
      text: e.textContent,
    }));
    assert.deepEqual(far, {
      pending: true,
      label: 'Step 100, base · after rejection, score 3',
      text: 'Step 99: redo with $x_{99} = 99^2$ carefully.',
    });
    // Reached by keyboard, a step is built: its rejected draft, tools and typeset math.
    await page.focus('#steps .step[data-step-id="98"]');
    await page.keyboard.press('ArrowDown');
    const focused = await page.evaluate(() => {
      const step = /** @type {HTMLElement} */ (document.activeElement);
      return {
        id: step.dataset.stepId,
        pending: step.classList.contains('pending'),
        drafts: step.querySelectorAll('.rejected-draft').length,
        math: step.querySelectorAll('.step-text .katex').length,
        copy: !!step.querySelector('.step-copy'),
      };
    });
    assert.deepEqual(focused, { id: '99', pending: false, drafts: 1, math: 1, copy: true });
    await assertBuiltInView(page);

    const r = (/** @type {number} */ x) => Math.round(x);
    console.log(
      `      500 steps, ${events.length} events in ${result.batches} batches of ${BATCH}: apply ${r(result.applyMs)} ms, ` +
        `render ${r(result.renderMs)} ms (per frame p50 ${r(result.p50)}, p95 ${r(result.p95)}, max ${r(result.maxFrameMs)} ms), wall ${r(result.wallMs)} ms; ` +
        `full snapshot of 500 steps: ${r(snapshotMs)} ms`,
    );
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, '500');
  });
});
