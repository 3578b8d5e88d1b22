// @ts-check
// Browser tests of the reasoning panel's layout (issue 12): the pin, the compare view (side by side when wide,
// stacked when narrow; summary card; sticky first column), the compact narrow layout and high-contrast themes.
// Same harness as panel.webview.test.js (test/webview/harness.html, strict CSP). Needs `node esbuild.js` first.

const assert = require('node:assert/strict');
const path = require('node:path');
const { ARTIFACTS, usePanelHarness } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('playwright-core').BrowserContext} BrowserContext */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */
/** @typedef {import('../../src/core/engine/runRecord').RunSummary} RunSummary */

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

/**
 * A finished run of a mode with its summary.
 * @param {import('../../src/core/config').RunMode} mode @param {number} wallMs
 * @param {{ answer?: string, steps?: typeof STEPS, acceptance?: number }} [options]
 * @returns {PanelRun}
 */
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
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 1200, height: 900 } });

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
    await page.screenshot({ path: path.join(ARTIFACTS, `webview-layout-${name}.png`), fullPage: true });
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

  /** @param {Page} page @param {string} selector */
  const box = async (page, selector) => {
    const b = await page.locator(selector).first().boundingBox();
    assert.ok(b, `${selector} is laid out`);
    return b;
  };
  /** Horizontal overflow of the page in CSS pixels (0 = none). @param {Page} page */
  const overflowX = (page) =>
    page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

  it('compare: side by side when wide, stacked when narrow; summary card; the Run column stays in view', async function () {
    const page = await openPanel('?simulated=true', { width: 1200, height: 900 });
    const state = panelState({ kind: 'compare', runs: [finishedRun('specreason', 3000), finishedRun('base', 4410)] });
    await send(page, { type: 'session/snapshot', state });
    await page.waitForSelector('#compare-card .wall-row[data-mode="base"]');
    assert.equal(await page.textContent('#speedup'), '1.47× faster');
    assert.equal(await page.getAttribute('#speedup', 'data-direction'), 'faster');
    assert.equal(await page.textContent('#compare-acceptance'), 'Acceptance 66.7% (2 of 3 drafts kept)');
    assert.match((await page.textContent('#compare-card')) ?? '', /✓ answers agree/);
    // Wall time per mode: bars in proportion, the longest full, each with its time and typeset answer.
    const widths = await page.$$eval('#wall-chart .wall-bar', (bars) =>
      bars.map((b) => Number(b.getAttribute('width'))),
    );
    assert.deepEqual(
      widths.map((w) => w.toFixed(3)),
      [(3000 / 4410).toFixed(3), '1.000'],
    );
    assert.deepEqual(await page.$$eval('#wall-chart .wall-value', (n) => n.map((e) => e.textContent)), [
      '3.00 s',
      '4.41 s',
    ]);
    assert.equal(await page.locator('#wall-chart .wall-answer .katex').count(), 2);
    // Wide: the runs side by side.
    const [a, b] = [
      await box(page, '.compare-column[data-mode="specreason"]'),
      await box(page, '.compare-column[data-mode="base"]'),
    ];
    assert.equal(Math.round(a.y), Math.round(b.y), 'side by side: same top');
    assert.ok(b.x >= a.x + a.width, 'side by side: base-only to the right');
    assert.ok((await overflowX(page)) <= 0, 'no sideways overflow when wide');
    await shot(page, 'compare-wide');

    // Narrow: stacked, no sideways overflow of the page, the table scrolls inside with the Run column in view.
    await page.setViewportSize({ width: 460, height: 900 });
    await frames(page);
    const [c, d] = [
      await box(page, '.compare-column[data-mode="specreason"]'),
      await box(page, '.compare-column[data-mode="base"]'),
    ];
    assert.ok(d.y >= c.y + c.height, 'stacked: base-only below');
    assert.equal(await overflowX(page), 0, 'no sideways overflow when narrow');
    const scroller = page.locator('.table-scroll');
    const sideways = await scroller.evaluate((e) => e.scrollWidth - e.clientWidth);
    assert.ok(sideways > 0, 'the table is wider than a narrow panel');
    await scroller.evaluate((e) => {
      e.scrollLeft = e.scrollWidth;
    });
    await frames(page);
    const frame = await box(page, '.table-scroll');
    const runCell = await box(page, '.compare-table tr[data-mode="base"] th[scope="row"]');
    assert.ok(Math.abs(runCell.x - frame.x) <= 1, `the Run column stays at the left edge (${runCell.x} vs ${frame.x})`);
    assert.ok(await page.locator('.compare-table tr[data-mode="base"] th[scope="row"]').isVisible());
    await scroller.evaluate((e) => {
      e.scrollLeft = 0;
    });
    await shot(page, 'compare-narrow');

    // Slower: said in words, not only by a number below 1.
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ kind: 'compare', runs: [finishedRun('specreason', 3000), finishedRun('base', 1710)] }),
    });
    await page.waitForFunction(() => document.querySelector('#speedup')?.textContent === '0.57× — slower');
    assert.equal(await page.getAttribute('#speedup', 'data-direction'), 'slower');
  });

  it('compare: the legend explains the step colours and badges there too', async function () {
    const page = await openPanel('?simulated=true', { width: 1200, height: 900 });
    const state = panelState({ kind: 'compare', runs: [finishedRun('specreason', 3000), finishedRun('base', 4410)] });
    await send(page, { type: 'session/snapshot', state });
    await page.waitForSelector('.compare-view #legend');
    assert.equal(await page.locator('#legend').count(), 1, 'one legend');
    await page.click('#legend > summary');
    const origins = await page.$$eval('#legend .legend-origin', (nodes) =>
      nodes.map((n) => n.getAttribute('data-origin')),
    );
    assert.deepEqual(origins, ['small', 'base-fallback', 'base-forced', 'baseline']);
    assert.ok(await page.locator('#legend .legend-list').isVisible());
    assert.ok((await overflowX(page)) <= 0, 'the legend adds no sideways overflow');
  });

  it('narrow solve: one toolbar row, secondary actions behind More, tuning folded, answer on the first screen', async function () {
    const long = 'A rectangle has a perimeter of 30 cm and its length is twice its width. '.repeat(6);
    const page = await openPanel('?simulated=true', { width: 460, height: 640 });
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ problem: { text: long }, runs: [finishedRun('specreason', 2400)] }),
    });
    await page.waitForSelector('#answer[data-state="answered"]');
    const answer = await box(page, '#answer');
    assert.ok(
      answer.y + answer.height <= 640,
      `the answer is on the first screen (bottom at ${answer.y + answer.height})`,
    );
    assert.equal(await overflowX(page), 0, 'no sideways overflow');
    const toolbar = await box(page, '.toolbar');
    const rerun = await box(page, '#btn-rerun');
    assert.ok(toolbar.height < 2 * rerun.height, 'one toolbar row');
    // The tuning strip is folded to a one-line summary of what the next run uses.
    assert.equal(await page.$eval('#tuning-box', (e) => /** @type {HTMLDetailsElement} */ (e).open), false);
    assert.equal(await page.textContent('#tuning-summary'), 'threshold 7 (greedy) · budget 8,192 tokens');
    assert.equal(await page.isVisible('#tuning-threshold'), false);
    // Secondary actions are in the More menu: it opens, runs an action and closes; Escape closes it too.
    assert.equal(await page.isVisible('#btn-export-json'), false);
    await page.click('#btn-more');
    assert.equal(await page.getAttribute('#btn-more', 'aria-expanded'), 'true');
    await shot(page, 'solve-narrow-menu');
    await page.click('#btn-export-json');
    assert.deepEqual(await posted(page, 'export/json'), [{ type: 'export/json' }]);
    assert.equal(await page.isVisible('#more-menu'), false);
    await page.click('#btn-more');
    await page.keyboard.press('Escape');
    assert.equal(await page.isVisible('#more-menu'), false);
    assert.equal(await page.getAttribute('#btn-more', 'aria-expanded'), 'false');
    await page.click('.tuning-summary');
    assert.equal(await page.isVisible('#tuning-threshold'), true, 'the summary unfolds the strip');
    await page.click('.tuning-summary');
    await shot(page, 'solve-narrow');

    // A wide panel shows everything inline and the strip unfolded.
    await page.setViewportSize({ width: 1000, height: 800 });
    await frames(page);
    assert.equal(await page.isVisible('#btn-more'), false);
    assert.equal(await page.isVisible('#btn-export-json'), true);
    assert.equal(await page.isVisible('#tuning-threshold'), true);
    assert.equal(await overflowX(page), 0, 'no sideways overflow at 1000 px');
  });

  /** Colour distance in RGB (0–441). @param {string} a @param {string} b */
  function distance(a, b) {
    const rgb = (/** @type {string} */ c) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
    const [x, y] = [rgb(a), rgb(b)];
    return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
  }

  for (const theme of ['dark', 'light', 'hc', 'hc-light']) {
    it(`${theme}: kept, rejected and base steps differ without colour; legend colours are distinct`, async function () {
      const page = await openPanel(`?theme=${theme}&simulated=true`, { width: 900, height: 900 });
      await send(page, { type: 'session/snapshot', state: panelState({ runs: [finishedRun('specreason', 2400)] }) });
      await page.waitForSelector('#steps .step[data-origin="base-fallback"]');
      const cues = await page.$$eval('#steps .step', (steps) =>
        steps.map((s) => ({
          origin: s.getAttribute('data-origin'),
          glyph: getComputedStyle(/** @type {Element} */ (s.querySelector('.origin-tag')), '::before').content,
          border: getComputedStyle(s).borderLeftStyle,
        })),
      );
      const glyphs = new Map(cues.map((c) => [c.origin, c.glyph]));
      assert.equal(new Set(glyphs.values()).size, 3, `a glyph per origin: ${JSON.stringify([...glyphs])}`);
      for (const glyph of glyphs.values()) {
        assert.notEqual(glyph, 'none');
      }
      if (theme.startsWith('hc')) {
        const borders = new Map(cues.map((c) => [c.origin, c.border]));
        assert.equal(new Set(borders.values()).size, 3, `a border pattern per origin: ${JSON.stringify([...borders])}`);
      }
      // The step-time bars: kept, rejected and forced steps differ by fill and outline style, not colour alone.
      const bars = await page.$$eval('#timeline rect.bar', (nodes) =>
        nodes.map((n) => {
          const style = getComputedStyle(n);
          return {
            origin: n.getAttribute('data-origin'),
            cue: [style.fillOpacity, style.stroke === 'none' ? 'none' : 'stroked', style.strokeDasharray].join(' '),
          };
        }),
      );
      const barCues = new Map(bars.map((b) => [b.origin, b.cue]));
      assert.equal(barCues.size, 3, `bars of three origins: ${JSON.stringify(bars)}`);
      assert.equal(new Set(barCues.values()).size, 3, `a bar style per origin: ${JSON.stringify([...barCues])}`);
      const swatches = await page.$$eval('.legend .swatch', (nodes) =>
        nodes.map((n) => ({
          origin: n.getAttribute('data-origin'),
          colour: getComputedStyle(n).backgroundColor,
          glyph: getComputedStyle(n, '::before').content,
        })),
      );
      assert.equal(new Set(swatches.map((s) => s.glyph)).size, swatches.length, 'a glyph per legend entry');
      for (let i = 0; i < swatches.length; i++) {
        for (let j = i + 1; j < swatches.length; j++) {
          const [p, q] = [swatches[i], swatches[j]];
          assert.ok(distance(p.colour, q.colour) >= 60, `${p.origin} ${p.colour} vs ${q.origin} ${q.colour}`);
        }
      }
      await shot(page, `theme-${theme}`);
    });
  }
});
