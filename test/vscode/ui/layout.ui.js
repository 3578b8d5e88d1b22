// @ts-check
'use strict';
// Panels as a user with many problems finds them (issue 12): one Solve panel and one Compare panel,
// reused; a pin keeps a panel; tab titles with the start of the problem and the answer. Then the panel in
// every built-in colour theme (steps told apart without colour, legend colours distinct) and in a 1000 px
// window (compact layout, no sideways overflow), with screenshots.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO, latencyProfile } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
/** VS Code's built-in colour themes (labels as the theme picker shows them), and a short name for screenshots. */
const THEMES = [
  ['Dark Modern', 'dark'],
  ['Light Modern', 'light'],
  ['Dark High Contrast', 'high-contrast'],
  ['Light High Contrast', 'high-contrast-light'],
  ['Dark+', 'dark-plus'],
  ['Light+', 'light-plus'],
  ['Dark (Visual Studio)', 'vs-dark'],
  ['Light (Visual Studio)', 'vs-light'],
  ['Abyss', 'abyss'],
  ['Quiet Light', 'quiet-light'],
  ['Kimbie Dark', 'kimbie-dark'],
  ['Solarized Light', 'solarized-light'],
  ['Monokai', 'monokai'],
  ['Red', 'red'],
  ['Monokai Dimmed', 'monokai-dimmed'],
  ['Solarized Dark', 'solarized-dark'],
  ['Tomorrow Night Blue', 'tomorrow-night-blue'],
];

/** Pick a colour theme by its label in the Settings editor, as a user would. */
async function pickTheme(/** @type {Page} */ page, /** @type {string} */ label) {
  await page.keyboard.press('Control+Comma');
  const search = page.locator(d.SEL.settingsSearch);
  await search.waitFor({ state: 'visible', timeout: 20000 });
  await search.fill('workbench.colorTheme');
  const row = page.locator(`${d.SEL.settingsRow}[data-key="workbench.colorTheme"]`).first();
  await row.waitFor({ timeout: 20000 });
  await row.locator('select').first().selectOption({ label });
  await d.runCommand(page, 'View: Close Editor');
}

/** RGB distance (0–441) of two computed colours. */
function distance(/** @type {string} */ a, /** @type {string} */ b) {
  const rgb = (/** @type {string} */ c) => (c.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
  const [x, y] = [rgb(a), rgb(b)];
  return Math.hypot(x[0] - y[0], x[1] - y[1], x[2] - y[2]);
}

describe('Panel reuse, pin and titles', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;

  async function closeAll() {
    await d.runCommand(page, 'View: Close All Editors');
    await page
      .locator(d.SEL.webview)
      .first()
      .waitFor({ state: 'detached', timeout: 10000 })
      .catch(() => undefined);
  }

  /** Select the problem line and run a command on it; returns how many chat requests the small server had before. */
  async function runOnProblem(/** @type {string} */ command) {
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const requests = pair.small.log.length;
    await d.runCommand(page, command);
    return requests;
  }

  /** Wait (polling, no time assertion) until the small server got a request after `count` of them. */
  async function requestAfter(/** @type {number} */ count) {
    for (let i = 0; i < 600 && pair.small.log.length <= count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(pair.small.log.length > count, 'the run reached the server');
  }

  const tabs = (/** @type {string} */ text) => page.locator('.tabs-container .tab', { hasText: text });
  const tab = (/** @type {string} */ text) => tabs(text).first();

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    browser = await d.launchBrowser();
    page = await d.newPage(browser);
    await d.openWorkbench(page, d.env.url, d.env.workspace);
    await d.openSettingsAndSet(page, 'specreason.server.baseUrl', pair.base.baseUrl);
    await d.openSettingsAndSet(page, 'specreason.server.smallUrl', pair.small.baseUrl);
    await d.openSettingsAndSet(page, 'specreason.server.maxRetries', 0, { close: true });
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await closeAll().catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('a second Solve reuses the Solve panel; Compare has its own; a pinned panel is kept; titles name problem and answer', async () => {
    await closeAll();
    await runOnProblem('SpecReason: Solve Selection');
    const solvePanel = await d.waitForWebview(page, 0, { selector: '#app' });
    await solvePanel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    await tab('Solve: A rectangle has a perimeter of… → 50').waitFor({ timeout: 15000 });
    assert.equal(await tabs('Solve: ').count(), 1);

    // Solve again: the same panel runs the problem again; no second tab.
    const before = await runOnProblem('SpecReason: Solve Selection');
    await requestAfter(before); // the panel was reset before the run's first request
    await solvePanel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    await tab('Solve: A rectangle has a perimeter of… → 50').waitFor({ timeout: 15000 });
    assert.equal(await tabs('Solve: ').count(), 1, 'the Solve panel was reused');
    assert.equal(await solvePanel.locator('.step').count(), 8, 'the reused panel shows only the new run');

    // Compare opens the Compare panel (beside, in the same group: the Solve panel's tab stays, hidden).
    await runOnProblem('SpecReason: Compare with Base Model');
    await tab('Compare: A rectangle has a perimeter of… → 50').waitFor({ timeout: 60000 });
    assert.equal(await tabs('Solve: ').count(), 1);
    assert.equal(await tabs('Compare: ').count(), 1);

    // Pin the Solve panel: the next Solve opens a panel of its own.
    await tab('Solve: A rectangle').click();
    const pin = d.webviewFrame(page, 0).locator('#btn-pin');
    await pin.waitFor({ timeout: 30000 });
    await pin.click();
    await d
      .webviewFrame(page, 0)
      .locator('#btn-pin[aria-pressed="true"]', { hasText: 'Pinned' })
      .waitFor({ timeout: 10000 });
    await runOnProblem('SpecReason: Solve Selection');
    await tabs('Solve: A rectangle').nth(1).waitFor({ timeout: 30000 });
    await tabs('Solve: A rectangle has a perimeter of… → 50').nth(1).waitFor({ timeout: 60000 });
    assert.equal(await tabs('Solve: ').count(), 2, 'the pinned panel was kept and a new one opened');
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-tabs.png'));
    await closeAll();
  });

  it('every built-in theme: steps told apart without colour, distinct legend colours; screenshots', async () => {
    await closeAll();
    await runOnProblem('SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, 0, { selector: '#app' });
    await panel.locator('#answer[data-state="answered"]').waitFor({ timeout: 60000 });
    const report = [];
    try {
      // What changes in the webview when a theme is applied (theme light and dark alternate in THEMES).
      const fingerprint = () =>
        panel
          .locator('body')
          .evaluate(
            (b) =>
              `${b.className}|${b.dataset.vscodeThemeId ?? ''}|${b.dataset.vscodeThemeName ?? ''}|` +
              getComputedStyle(document.documentElement).getPropertyValue('--vscode-editor-background'),
          );
      for (const [label, short] of THEMES) {
        const before = await fingerprint();
        await pickTheme(page, label);
        let applied = false;
        for (let i = 0; i < 200 && !applied; i++) {
          await page.waitForTimeout(100);
          applied = (await fingerprint()) !== before;
        }
        assert.ok(applied, `${label} was applied to the panel`);
        // Every step built (origin tag, border) before reading their styles.
        await d.stepsBuilt(panel);
        const seen = await panel.locator('body').evaluate(() => {
          const css = (/** @type {Element} */ el, /** @type {string | undefined} */ pseudo = undefined) =>
            getComputedStyle(el, pseudo);
          return {
            legend: [...document.querySelectorAll('.legend .swatch')].map((n) => ({
              origin: n.getAttribute('data-origin'),
              colour: css(n).backgroundColor,
              glyph: css(n, '::before').content,
            })),
            steps: [...document.querySelectorAll('#steps .step')].map((s) => ({
              origin: s.getAttribute('data-origin'),
              glyph: css(/** @type {Element} */ (s.querySelector('.origin-tag')), '::before').content,
              border: css(s).borderLeftStyle,
            })),
            bars: [...document.querySelectorAll('#timeline rect.bar')].map((n) => ({
              origin: n.getAttribute('data-origin'),
              cue: [css(n).fillOpacity, css(n).stroke === 'none' ? 'none' : 'stroked', css(n).strokeDasharray].join(
                ' ',
              ),
            })),
            highContrast: document.body.classList.contains('vscode-high-contrast'),
          };
        });
        const glyphs = new Map(seen.steps.map((x) => [x.origin, x.glyph]));
        assert.equal(new Set(glyphs.values()).size, glyphs.size, `${label}: a glyph per origin`);
        // The step-time bars too: a fill and outline style per origin, not colour alone.
        const barCues = new Map(seen.bars.map((x) => [x.origin, x.cue]));
        assert.equal(new Set(barCues.values()).size, barCues.size, `${label}: a bar style per origin`);
        if (seen.highContrast) {
          const borders = new Map(seen.steps.map((x) => [x.origin, x.border]));
          assert.equal(new Set(borders.values()).size, borders.size, `${label}: a border pattern per origin`);
        }
        let closest = Infinity;
        for (let i = 0; i < seen.legend.length; i++) {
          for (let j = i + 1; j < seen.legend.length; j++) {
            const [p, q] = [seen.legend[i], seen.legend[j]];
            const gap = distance(p.colour, q.colour);
            closest = Math.min(closest, gap);
            assert.ok(gap >= 60, `${label}: legend ${p.origin} ${p.colour} vs ${q.origin} ${q.colour}`);
          }
        }
        report.push(`${short} ${Math.round(closest)}`);
        if (['dark', 'light', 'high-contrast', 'high-contrast-light'].includes(short)) {
          await d.screenshot(page, path.join(d.env.artifacts, `panel-theme-${short}.png`));
        }
      }
    } finally {
      await pickTheme(page, 'Light Modern').catch(() => undefined); // the rig's theme, as the other files expect
    }
    console.log(`      closest legend colours (RGB distance) per theme: ${report.join(', ')}`);
  });

  it('a 1000 px window: compact panel, answer on the first screen, no sideways overflow; compare stacked', async () => {
    await closeAll();
    await page.setViewportSize({ width: 1000, height: 760 });
    try {
      await runOnProblem('SpecReason: Solve Selection');
      const panel = await d.waitForWebview(page, 0, { selector: '#app' });
      await panel.locator('#answer[data-state="answered"]').waitFor({ timeout: 60000 });
      const layout = await panel.locator('body').evaluate(() => {
        const answer = /** @type {Element} */ (document.querySelector('#answer')).getBoundingClientRect();
        return {
          width: document.documentElement.clientWidth,
          height: document.documentElement.clientHeight,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          answerBottom: answer.bottom,
        };
      });
      console.log(`      panel in a 1000 px window: ${layout.width} × ${layout.height} px`);
      assert.ok(layout.width <= 480, `the panel is narrow (${layout.width} px)`);
      assert.equal(layout.overflow, 0, 'no sideways overflow');
      assert.ok(layout.answerBottom <= layout.height, `the answer is on the first screen (${layout.answerBottom})`);
      assert.ok(await panel.locator('#btn-more').isVisible(), 'secondary actions behind More');
      assert.equal(await panel.locator('#tuning-threshold').isVisible(), false, 'the tuning strip is folded');
      await d.screenshot(page, path.join(d.env.artifacts, 'panel-narrow-solve.png'));

      // Closed first: beside a panel, the problem's line wraps and is not found by its text.
      await closeAll();
      await runOnProblem('SpecReason: Compare with Base Model');
      await tab('Compare: A rectangle').waitFor({ timeout: 30000 });
      const compare = d.webviewFrame(page, 0);
      await compare.locator('#speedup', { hasText: /faster|slower/ }).waitFor({ timeout: 90000 });
      const stacked = await compare.locator('body').evaluate(() => {
        const [a, b] = [...document.querySelectorAll('.compare-column')].map((c) => c.getBoundingClientRect());
        return {
          below: !!a && !!b && b.top >= a.bottom,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        };
      });
      assert.ok(stacked.below, 'the runs are stacked in a narrow panel');
      assert.equal(stacked.overflow, 0, 'no sideways overflow in the compare view');
      await d.screenshot(page, path.join(d.env.artifacts, 'panel-narrow-compare.png'));
    } finally {
      await page.setViewportSize({ width: 1400, height: 900 });
      await closeAll();
    }
  });

  it('a wide window: the compare view puts the runs side by side', async () => {
    await closeAll();
    await page.setViewportSize({ width: 1920, height: 1080 });
    // The demo's realistic latency, for a screenshot that looks like a real comparison (no speed is asserted).
    const realistic = latencyProfile('realistic');
    pair.base.setLatency(realistic.base);
    pair.small.setLatency(realistic.small);
    try {
      await runOnProblem('SpecReason: Compare with Base Model');
      const compare = await d.waitForWebview(page, 0, { selector: '#app' });
      await compare.locator('#speedup', { hasText: /faster|slower/ }).waitFor({ timeout: 90000 });
      const layout = await compare.locator('body').evaluate(() => {
        const [a, b] = [...document.querySelectorAll('.compare-column')].map((c) => c.getBoundingClientRect());
        return {
          width: document.documentElement.clientWidth,
          sideBySide: !!a && !!b && Math.round(a.top) === Math.round(b.top) && b.left >= a.right,
          overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
        };
      });
      assert.ok(layout.sideBySide, `side by side in a ${layout.width} px panel`);
      assert.equal(layout.overflow, 0, 'no sideways overflow');
      await d.screenshot(page, path.join(d.env.artifacts, 'panel-compare-wide.png'));
    } finally {
      const zero = latencyProfile('zero');
      pair.base.setLatency(zero.base);
      pair.small.setLatency(zero.small);
      await page.setViewportSize({ width: 1400, height: 900 });
      await closeAll();
    }
  });
});
