// @ts-check
// Browser tests of the compare view's honest speedup (issue 19): a repeated comparison's median and range, a tie
// when the range includes 1×, every round in the table, the "Compare again" control (3 suggested), runs that
// did not complete drawn without a bar, and the header's total for the whole comparison. Recorded wall times
// only: nothing depends on the machine's speed. Same harness as the other suites. Needs `node esbuild.js` first.

const assert = require('node:assert/strict');
const path = require('node:path');
const { ARTIFACTS, usePanelHarness } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').RunSummary} RunSummary */
/** @typedef {import('../../src/core/config').RunMode} RunMode */
/** @typedef {import('../../src/core/config').StepPolicyName} StepPolicyName */
/** @typedef {import('../../src/core/engine/runRecord').PolicyCosts} PolicyCosts */

/** @param {Partial<PanelState>} [overrides] @returns {PanelState} */
function panelState(overrides = {}) {
  return {
    protocolVersion: 1,
    kind: 'compare',
    problem: { text: 'What is 21 + 21?' },
    runs: [],
    tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
    ...overrides,
  };
}

let ids = 0;
/**
 * A run that ended (or not) with a recorded wall time.
 * @param {RunMode} mode @param {number} wallMs
 * @param {{ status?: PanelRun['status'], startedAt?: number, answer?: string, steps?: number, events?: number,
 *   policy?: StepPolicyName, costs?: PolicyCosts }} [o]
 * @returns {PanelRun}
 */
function run(
  mode,
  wallMs,
  {
    status = 'finished',
    startedAt = 1_700_000_000_000,
    answer = '42',
    steps = 0,
    events = 5,
    policy = undefined,
    costs = undefined,
  } = {},
) {
  const stopReason = status === 'finished' ? 'finished' : status;
  return {
    runId: `r${++ids}`,
    mode,
    ...(policy ? { policy } : {}),
    status,
    startedAt,
    threshold: 7,
    scoreMethod: 'greedy',
    eventsApplied: events,
    steps: [],
    summary:
      status === 'running'
        ? undefined
        : /** @type {RunSummary} */ ({
            mode,
            stopReason,
            wallMs,
            steps,
            accepted: mode === 'specreason' ? 3 : 0,
            rejected: mode === 'specreason' ? 1 : 0,
            forced: 0,
            acceptanceRate: mode === 'specreason' ? 0.75 : undefined,
            keptTokens: 40,
            small: { tokens: 30, ms: 0, requests: 4, modelListRequests: 1, wastedTokens: 0 },
            base: { tokens: 20, ms: 0, requests: 4, modelListRequests: 1, wastedTokens: 0 },
            overlapSavedMs: 0,
            answer: status === 'finished' ? answer : undefined,
            ...(policy ? { policy } : {}),
            ...(costs ? { costs } : {}),
          }),
  };
}

/** Rounds of [SpecReason ms, base-only ms], in the order the host starts them. */
const rounds = (/** @type {Array<[number, number]>} */ ...pairs) =>
  pairs.flatMap(([spec, base]) => [run('specreason', spec), run('base', base)]);

describe('compare view: an honest speedup (webview, Chromium)', function () {
  this.timeout(120000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 1100, height: 900 } });

  /** @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page @param {string} type */
  const posted = (page, type) => page.evaluate((t) => window.__posted.filter((m) => m.type === t), type);
  /** @param {Page} page @param {string} selector */
  const texts = (page, selector) => page.$$eval(selector, (n) => n.map((e) => (e.textContent ?? '').trim()));
  /** @param {Page} page */
  const frames = (page) =>
    page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

  it('three rounds: the median speedup with its range, every round in the table, the latest in the columns', async function () {
    const page = await openPanel();
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ rounds: 3, runs: rounds([600, 1000], [500, 1000], [700, 1100]) }),
    });
    await page.waitForSelector('.compare-table tr[data-round="3"]');
    assert.equal(await page.textContent('#speedup'), '1.67× faster');
    assert.equal(await page.getAttribute('#speedup', 'data-direction'), 'faster');
    assert.equal(await page.textContent('#speedup-detail'), 'median of 3 runs, range 1.57–2.00×');
    assert.deepEqual(await texts(page, '.compare-table tbody th'), [
      'SpecReason #1',
      'Base only #1',
      'SpecReason #2',
      'Base only #2',
      'SpecReason #3',
      'Base only #3',
    ]);
    assert.equal(await page.locator('.compare-column').count(), 2, 'one column per mode: the latest round');
    // Wall time per mode: the median with its range, the bars in proportion of the medians.
    assert.deepEqual(await texts(page, '#wall-chart .wall-value'), [
      '600 ms (500 ms–700 ms)',
      '1.00 s (1.00 s–1.10 s)',
    ]);
    const widths = await page.$$eval('#wall-chart .wall-bar', (b) => b.map((e) => Number(e.getAttribute('width'))));
    assert.deepEqual(
      widths.map((w) => w.toFixed(2)),
      ['0.60', '1.00'],
    );
    assert.equal(await page.inputValue('#compare-rounds'), '3', "the control shows the comparison's own count");
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-compare-rounds.png'), fullPage: true });
  });

  it('a range that includes 1× is a tie, not a speedup', async function () {
    const page = await openPanel();
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ rounds: 3, runs: rounds([900, 1000], [1100, 1000], [800, 1000]) }),
    });
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent?.startsWith('tie'));
    assert.equal(await page.textContent('#speedup'), 'tie (1.11×)');
    assert.equal(await page.getAttribute('#speedup', 'data-direction'), 'tie');
    assert.match(
      (await page.textContent('#speedup-detail')) ?? '',
      /range 0\.91–1\.25×: the range includes 1×, so neither is faster/,
    );
  });

  it('one run: the panel suggests 3; Compare again posts the rounds; a bad count is refused inline', async function () {
    const page = await openPanel();
    await send(page, { type: 'session/snapshot', state: panelState({ runs: rounds([500, 1000]) }) });
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent === '2.00× faster');
    assert.match(
      (await page.textContent('#speedup-detail')) ?? '',
      /one run, a noisy sample: compare 3× for a median and range/,
    );
    assert.equal(await page.inputValue('#compare-rounds'), '3', 'the suggestion');
    await page.click('#btn-compare-again');
    assert.deepEqual(await posted(page, 'run/rerun'), [{ type: 'run/rerun', rounds: 3 }]);
    await page.fill('#compare-rounds', '0');
    assert.equal(await page.isDisabled('#btn-compare-again'), true);
    assert.match((await page.textContent('.rounds-control')) ?? '', /a whole number from 1 to 20/);
    assert.equal(await page.getAttribute('#compare-rounds', 'aria-invalid'), 'true');
    await page.fill('#compare-rounds', '5');
    await page.press('#compare-rounds', 'Enter');
    assert.deepEqual((await posted(page, 'run/rerun')).at(-1), { type: 'run/rerun', rounds: 5 });
  });

  it('while running: "run 2 of 3", a waiting run has no bar, the control waits; the header counts the whole comparison', async function () {
    const page = await openPanel();
    const t0 = Date.now() - 5000;
    const first = [run('specreason', 1000, { startedAt: t0 }), run('base', 2000, { startedAt: t0 + 1000 })];
    const spec = run('specreason', 0, { status: 'running', startedAt: Date.now() - 500 });
    const waiting = run('base', 0, { status: 'running', startedAt: t0, events: 0 });
    await send(page, { type: 'session/snapshot', state: panelState({ rounds: 3, runs: [...first, spec, waiting] }) });
    await page.waitForSelector('#wall-chart .wall-row[data-mode="base"][data-status="waiting"]');
    assert.match((await page.textContent('#speedup-detail')) ?? '', /^run 2 of 3 · /);
    assert.deepEqual(
      (await texts(page, '#wall-chart .wall-value')).map((t) => t.replace(/[\d.]+ m?s/, 'T')),
      ['T …', 'waiting'],
    );
    assert.equal(await page.getAttribute('#wall-chart .wall-row[data-mode="base"] .wall-bar', 'width'), '0');
    assert.equal(await page.isDisabled('#btn-compare-again'), true, 'no second comparison while one runs');
    // The header: the comparison's own total since its first run started (about 5 s), not one run's time.
    const elapsed = Number((await page.textContent('#elapsed'))?.replace(' s', ''));
    assert.ok(elapsed >= 5 && elapsed < 30, `total ${elapsed} s`);
    assert.match((await page.getAttribute('#elapsed', 'title')) ?? '', /Total time of the comparison/);

    // Finished: the total runs from the first start to the last end.
    await send(page, {
      type: 'session/snapshot',
      state: panelState({
        runs: [run('specreason', 4000, { startedAt: 1_000_000 }), run('base', 9000, { startedAt: 1_004_100 })],
      }),
    });
    await page.waitForFunction(() => document.querySelector('#elapsed')?.textContent === '13.1 s');
  });

  it('a cancelled comparison: no run drawn as a full bar; each says what happened', async function () {
    const page = await openPanel();
    const cancelled = run('specreason', 2500, { status: 'cancelled', steps: 3 });
    cancelled.steps = [];
    const notRun = run('base', 0, { status: 'cancelled', events: 1 });
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [cancelled, notRun] }) });
    await page.waitForSelector('#wall-chart .wall-row[data-mode="base"][data-status="cancelled"]');
    assert.deepEqual(await texts(page, '#wall-chart .wall-value'), ['cancelled after 2.50 s', 'not run']);
    const widths = await page.$$eval('#wall-chart .wall-bar', (b) => b.map((e) => e.getAttribute('width')));
    assert.deepEqual(widths, ['0', '0'], 'no bar for a run that did not complete');
    assert.equal(await page.textContent('#speedup'), '—');
    await frames(page);
  });

  it('an answer that is not one of the choices (A)–(D) is flagged, in the answer box and on the card', async function () {
    const problem = { text: 'Which is largest?', choices: { A: '1', B: '2', C: '50', D: '3' } };
    const page = await openPanel();
    const solved = run('specreason', 800, { answer: '50' });
    await send(page, { type: 'session/snapshot', state: panelState({ kind: 'solve', problem, runs: [solved] }) });
    await page.waitForSelector('#answer .off-choice');
    assert.match((await page.textContent('#answer .off-choice')) ?? '', /Not one of the choices \(A\)–\(D\)/);
    // A letter, however written, is one of the choices; a question without choices flags nothing.
    for (const [answer, p] of /** @type {const} */ ([
      ['C', problem],
      ['\\text{(C)}', problem],
      ['50', { text: 'What is 5 × 10?' }],
    ])) {
      await send(page, {
        type: 'session/snapshot',
        state: panelState({ kind: 'solve', problem: p, runs: [run('specreason', 800, { answer })] }),
      });
      await page.waitForFunction(() => document.querySelector('#answer')?.getAttribute('data-state') === 'answered');
      await frames(page);
      assert.equal(await page.locator('#answer .off-choice').count(), 0, `${answer}: not flagged`);
    }
    await send(page, { type: 'session/snapshot', state: panelState({ problem, runs: rounds([500, 1000]) }) });
    await page.waitForSelector('#wall-chart .wall-answer[data-off-choice="true"]');
    assert.equal(await page.locator('#wall-chart .wall-answer[data-off-choice="true"]').count(), 2);
    assert.match((await page.getAttribute('#wall-chart .wall-answer', 'title')) ?? '', /Not one of the choices/);
  });
});

/** @param {number} judgeCalls @param {number} criticalPathMs @returns {PolicyCosts} */
const costs = (judgeCalls, criticalPathMs) => ({
  requests: { small: 5, base: judgeCalls + 1 },
  judgeCalls,
  tokens: { small: 30, base: 20 },
  wastedTokens: 0,
  criticalPathMs,
  lowerBoundMs: criticalPathMs / 2,
});

/**
 * Rounds of [SpecReason ms, first-token ms, base-only ms] (issue 21: Compare takes any modes), in the order the host
 * starts them.
 * @param {...[number, number, number]} triples
 */
const threeModes = (...triples) =>
  triples.flatMap(([spec, glimp, base]) => [
    run('specreason', spec, { costs: costs(4, spec - 50) }),
    run('specreason', glimp, { policy: 'first-token', costs: costs(0, glimp - 50) }),
    run('base', base, { costs: costs(0, base - 50) }),
  ]);

describe('compare view: three modes (issue 21), narrow and wide (webview, Chromium)', function () {
  this.timeout(120000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 1100, height: 900 } });

  /** @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page @param {string} selector */
  const texts = (page, selector) => page.$$eval(selector, (n) => n.map((e) => (e.textContent ?? '').trim()));
  /** @param {Page} page @param {string} selector */
  const boxes = (page, selector) =>
    page.$$eval(selector, (n) =>
      n.map((e) => {
        const r = e.getBoundingClientRect();
        return { left: r.left, top: r.top, width: r.width, right: r.right };
      }),
    );
  /** The page itself never scrolls sideways (the table may, inside its own box). @param {Page} page */
  const pageOverflow = (page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  /** @param {Page} page */
  async function showThreeRounds(page) {
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ rounds: 3, runs: threeModes([600, 900, 1000], [500, 1100, 1000], [700, 800, 1000]) }),
    });
    await page.waitForSelector('.compare-table tr[data-round="3"][data-key="base"]');
  }

  it('wide (1100 px): a column each side by side, each policy its own speedup (median, range, tie), costs in the table', async function () {
    const page = await openPanel();
    await showThreeRounds(page);
    // One column per mode, side by side, named by policy.
    assert.deepEqual(await texts(page, '.compare-column .column-head h2'), ['SpecReason', 'first-token', 'Base only']);
    const columns = await boxes(page, '.compare-column');
    assert.equal(new Set(columns.map((c) => Math.round(c.top))).size, 1, 'three columns on one line');
    assert.ok(columns[0].right <= columns[1].left && columns[1].right <= columns[2].left, 'in order, not overlapping');
    // The card: the headline is the first policy's; each bar says its own speedup against base-only.
    assert.equal(await page.textContent('#speedup'), '1.67× faster');
    assert.equal(await page.textContent('.speedup-box .caption'), 'SpecReason vs base only');
    assert.deepEqual(await texts(page, '#wall-chart .wall-label'), ['SpecReason', 'first-token', 'Base only']);
    assert.deepEqual(await texts(page, '#wall-chart .wall-value'), [
      '600 ms (500 ms–700 ms)',
      '900 ms (800 ms–1.10 s)',
      '1.00 s (1.00 s–1.00 s)',
    ]);
    assert.deepEqual(await texts(page, '#wall-chart .wall-speedup'), ['1.67× faster', 'tie (1.11×)', 'reference']);
    assert.deepEqual(
      await page.$$eval('#wall-chart .wall-speedup', (n) => n.map((e) => e.getAttribute('data-direction'))),
      ['faster', 'tie', 'none'],
    );
    assert.match(
      (await page.getAttribute('#wall-chart .wall-row[data-key="first-token"] .wall-speedup', 'title')) ?? '',
      /first-token against base only: median of 3 runs, range 0\.91–1\.25×: the range includes 1×, so neither is faster/,
    );
    const widths = await page.$$eval('#wall-chart .wall-bar', (b) => b.map((e) => Number(e.getAttribute('width'))));
    assert.deepEqual(
      widths.map((w) => w.toFixed(2)),
      ['0.60', '0.90', '1.00'],
    );
    // Every round of every mode in the table, with its tokens and costs.
    assert.deepEqual((await texts(page, '.compare-table tbody th')).slice(0, 4), [
      'SpecReason #1',
      'first-token #1',
      'Base only #1',
      'SpecReason #2',
    ]);
    assert.equal(await page.locator('.compare-table tbody tr').count(), 9);
    const firstRow = '.compare-table tr[data-round="1"]';
    assert.equal(await page.textContent(`${firstRow}[data-key="specreason"] [data-col="judge"]`), '4');
    assert.equal(await page.textContent(`${firstRow}[data-key="first-token"] [data-col="judge"]`), '0');
    assert.equal(await page.textContent(`${firstRow}[data-key="first-token"] [data-col="requests"]`), '5 / 1');
    assert.equal(
      await page.textContent(`${firstRow}[data-key="first-token"] [data-col="critical"]`),
      '850 ms (≥ 425 ms)',
    );
    assert.equal(await page.textContent(`${firstRow}[data-key="base"] [data-col="small"]`), '30');
    assert.equal(await pageOverflow(page), 0, 'the page does not scroll sideways');
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-compare-three-modes-wide.png'), fullPage: true });
  });

  it('narrow (380 px): the columns stack, the card keeps every bar and speedup in view, nothing overflows the page', async function () {
    const page = await openPanel('', { width: 380, height: 900 });
    await showThreeRounds(page);
    const columns = await boxes(page, '.compare-column');
    assert.equal(columns.length, 3);
    assert.ok(columns[0].top < columns[1].top && columns[1].top < columns[2].top, 'stacked');
    for (const c of columns) {
      assert.ok(c.left >= 0 && c.right <= 380, `column inside the panel: ${c.left}–${c.right}`);
    }
    assert.deepEqual(await texts(page, '#wall-chart .wall-speedup'), ['1.67× faster', 'tie (1.11×)', 'reference']);
    for (const selector of ['#wall-chart .wall-label', '#wall-chart .wall-value', '#wall-chart .wall-speedup']) {
      for (const b of await boxes(page, selector)) {
        assert.ok(b.left >= 0 && b.right <= 380 && b.width > 0, `${selector} in view: ${b.left}–${b.right}`);
      }
    }
    assert.equal(await pageOverflow(page), 0, 'the page does not scroll sideways');
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-compare-three-modes-narrow.png'), fullPage: true });
  });

  it('cancelled in the second mode: the finished one keeps its result, the others no bar and no speedup', async function () {
    const page = await openPanel();
    const stopped = run('specreason', 450, { status: 'cancelled', steps: 2, policy: 'first-token' });
    const notRun = run('base', 0, { status: 'cancelled', events: 1 });
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ runs: [run('specreason', 600), stopped, notRun] }),
    });
    await page.waitForSelector('#wall-chart .wall-row[data-key="base"][data-status="cancelled"]');
    assert.deepEqual(await texts(page, '#wall-chart .wall-value'), ['600 ms', 'cancelled after 450 ms', 'not run']);
    const widths = await page.$$eval('#wall-chart .wall-bar', (b) => b.map((e) => e.getAttribute('width')));
    assert.deepEqual(widths, ['1', '0', '0'], 'only the completed run has a bar');
    assert.deepEqual(await texts(page, '#wall-chart .wall-speedup'), ['—', '—', 'reference']);
    assert.equal(await page.textContent('#speedup'), '—');
  });

  it('two modes stay the layout users know: no speedup column, the headline says it', async function () {
    const page = await openPanel();
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ runs: [run('specreason', 500), run('base', 1000)] }),
    });
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent === '2.00× faster');
    assert.equal(await page.getAttribute('#wall-chart', 'data-speedups'), 'false');
    assert.equal(await page.locator('#wall-chart .wall-speedup').first().isVisible(), false);
    // A policy against base-only names itself in the caption.
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ runs: [run('specreason', 500, { policy: 'first-token' }), run('base', 600)] }),
    });
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent === '1.20× faster');
    assert.equal(await page.textContent('.speedup-box .caption'), 'first-token vs base only');
  });
});
