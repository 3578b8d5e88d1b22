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
 * @param {{ status?: PanelRun['status'], startedAt?: number, answer?: string, steps?: number, events?: number }} [o]
 * @returns {PanelRun}
 */
function run(
  mode,
  wallMs,
  { status = 'finished', startedAt = 1_700_000_000_000, answer = '42', steps = 0, events = 5 } = {},
) {
  const stopReason = status === 'finished' ? 'finished' : status;
  return {
    runId: `r${++ids}`,
    mode,
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
          }),
  };
}

/** Rounds of [SpecReason ms, base-only ms], in the order the host starts them. */
const rounds = (...pairs) => pairs.flatMap(([spec, base]) => [run('specreason', spec), run('base', base)]);

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
