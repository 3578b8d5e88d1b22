'use strict';
// End-to-end UI tests of the Evaluate panel: the packaged .vsix in code-server (VS Code 1.100.3) in
// Chromium, driven like a user: the demo problem set opened from the Explorer's context menu, a sweep of
// two thresholds with base-only, the table and the chart, a run opened in the reasoning panel, cancel and
// resume, and "Use this threshold" ending up in settings.json. The simulated pair (with the demo set's
// scripts) runs in this process on ephemeral ports. Screenshots go to the test artifacts.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').CspWatcher} CspWatcher */
/** @typedef {import('../types').FrameLocator} FrameLocator */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO, realisticLatency } = require('../../../out/src/sim/scenarios');
const { demoSetScripts } = require('../../../out/src/sim/evalDemo');

const DEMO_SET = path.resolve(__dirname, '../../../examples/demo-set.jsonl');
const FAST = { prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 0 };
const SLOW = { prefillMsPerToken: 0, decodeMsPerToken: 4, overlapSlowdown: 0, overheadMs: 0 };

describe('Evaluate panel in code-server (packaged .vsix)', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;
  /** @type {CspWatcher} */
  let csp;
  /** The Evaluate panel's frame and webview index (opened by the first test, used by the others). */
  /** @type {FrameLocator} */
  let panel;
  /** @type {number} */
  let panelIndex;

  const statusIs = (/** @type {FrameLocator} */ frame, /** @type {string | RegExp} */ text, timeout = 90000) =>
    frame.locator('#status', { hasText: text }).first().waitFor({ timeout });

  /** Set the form's fields as a user types them. */
  async function fillForm(
    /** @type {FrameLocator} */ frame,
    /** @type {{ thresholds: string, small?: boolean, limit?: number }} */ { thresholds, small = false, limit },
  ) {
    await frame.locator('#eval-thresholds').fill(thresholds);
    await frame.locator('#eval-mode-specreason').check();
    await frame.locator('#eval-mode-base').check();
    await (small ? frame.locator('#eval-mode-small').check() : frame.locator('#eval-mode-small').uncheck());
    await frame.locator('#eval-repeats').fill('1');
    await frame.locator('#eval-limit').fill(String(limit));
  }

  /** The user settings as this file found them (it changes the theme and specreason.threshold). */
  /** @type {string | undefined} */
  let settingsBefore;

  before(async function () {
    settingsBefore = fs.readFileSync(d.env.settingsFile, 'utf8');
    pair = await startSimPair(DEMO_SCENARIO, demoSetScripts());
    fs.copyFileSync(DEMO_SET, path.join(d.env.workspace, 'demo-set.jsonl'));
    ({ browser, page, csp } = await d.openWorkbenchOnPair(pair, { csp: true }));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
    pair.base.setLatency(FAST);
    pair.small.setLatency(FAST);
  });

  after(async () => {
    if (page) {
      // Leave the window as we found it: the next UI file's page restores whatever editors are open here.
      await d.runCommand(page, 'View: Close All Editors');
      await page
        .locator(d.SEL.webview)
        .first()
        .waitFor({ state: 'detached', timeout: 15000 })
        .catch(() => undefined);
      await d.clearNotifications(page).catch(() => undefined);
    }
    if (settingsBefore !== undefined) {
      fs.writeFileSync(d.env.settingsFile, settingsBefore); // VS Code reloads the file it watches
    }
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('opens the demo set from the Explorer context menu and runs a sweep of two thresholds with base-only', async () => {
    const row = page.locator(d.SEL.explorerRow, { hasText: 'demo-set.jsonl' }).first();
    await row.waitFor({ timeout: 30000 });
    const before = await d.countWebviews(page);
    await d.explorerMenu(page, 'demo-set.jsonl', 'Evaluate Problem Set…');
    panel = await d.waitForWebview(page, before, { selector: '#btn-run' });
    panelIndex = before;
    await panel.locator('#eval-dataset', { hasText: 'demo-set.jsonl · 12 problems' }).waitFor({ timeout: 30000 });

    // Latencies in the paper's proportions (scaled down), so the chart has the shape of a real sweep.
    const realistic = realisticLatency(0.05);
    pair.base.setLatency(realistic.base);
    pair.small.setLatency(realistic.small);
    await fillForm(panel, { thresholds: '3, 9', limit: 6 });
    assert.equal(
      await panel.locator('#eval-estimate').textContent(),
      '18 runs: 6 problems × 1 repeat × 3 configurations',
    );
    await panel.locator('#btn-run').click();
    await statusIs(panel, 'Finished');

    const rows = await panel
      .locator('#eval-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-config')));
    assert.deepEqual(rows, ['specreason-t3-greedy', 'specreason-t9-greedy', 'base']);
    assert.equal(await panel.locator('#eval-chart g.config').count(), 3);
    assert.equal(await panel.locator('#eval-grid button.mark').count(), 18);
    assert.match((await panel.locator('#eval-progress-text').textContent()) ?? '', /^18 \/ 18 runs/);
    const accuracy = (/** @type {string} */ config) =>
      panel.locator(`#eval-table tr[data-config="${config}"] td[data-col="accuracy"]`).textContent();
    console.log(
      `      demo sweep: t=3 ${await accuracy('specreason-t3-greedy')}, t=9 ${await accuracy('specreason-t9-greedy')}, base ${await accuracy('base')}`,
    );
    await d.screenshot(page, 'evaluate-panel.png');
    await panel.locator('#eval-chart').scrollIntoViewIfNeeded();
    await d.screenshot(page, 'evaluate-chart.png');
    csp.assertNoCspViolations({ webviewOnly: true });
  });

  /** Pick a colour theme in Preferences: Color Theme, as a user does. */
  async function setTheme(/** @type {string} */ label) {
    await d.runCommand(page, 'Preferences: Color Theme');
    const box = page.locator(d.SEL.quickInput);
    await box.waitFor({ state: 'visible' });
    await box.fill(label);
    await page.locator(d.SEL.quickRow, { hasText: label }).first().waitFor();
    await page.keyboard.press('Enter');
    await box.waitFor({ state: 'hidden' });
  }

  for (const [theme, name] of [
    ['Light Modern', 'light'],
    ['Dark High Contrast', 'high-contrast'],
    ['Dark Modern', 'dark'],
  ]) {
    it(`screenshot of the panel in the ${name} theme`, async () => {
      await setTheme(theme);
      await d.clearNotifications(page);
      await panel.locator('#eval-results').waitFor();
      // The results (table and chart) at the top of the view.
      await panel.locator('.results-section').evaluate((e) => e.scrollIntoView());
      await page.waitForTimeout(1000); // the webview restyles after the theme message
      await d.screenshot(page, `evaluate-${name}.png`);
      // The panel alone, for docs/screenshots.
      await page
        .locator(d.SEL.webview)
        .nth(panelIndex)
        .screenshot({ path: path.join(d.env.artifacts, `evaluate-panel-${name}.png`) });
    });
  }
  it('exports results.csv and the chart (SVG) through the save dialog', async () => {
    /** VS Code's own save dialog (a quick input with the path): type the target and confirm. */
    async function saveAs(/** @type {string} */ file) {
      const box = page.locator(d.SEL.quickInput);
      await box.waitFor({ state: 'visible', timeout: 15000 });
      // The dialog fills in its starting path itself, a moment after it shows: type ours after that.
      await page.waitForFunction(
        (sel) => {
          const input = /** @type {HTMLInputElement | null} */ (document.querySelector(sel));
          return (input?.value ?? '').length > 0;
        },
        d.SEL.quickInput,
        {
          timeout: 15000,
        },
      );
      await page.waitForTimeout(300);
      await box.fill(file);
      await page.waitForFunction(
        ([sel, want]) => /** @type {HTMLInputElement | null} */ (document.querySelector(sel))?.value === want,
        [d.SEL.quickInput, file],
        { timeout: 5000 },
      );
      await page.waitForTimeout(300); // the dialog lists the folder as the path changes
      await page.locator('.quick-input-widget .monaco-button', { hasText: /^OK$/ }).first().click();
      await box.waitFor({ state: 'hidden', timeout: 15000 });
    }
    // Each export says where it went (it used to save without a word).
    const saved = (/** @type {string} */ name) =>
      page
        .locator('.notification-toast', { hasText: `saved to ${name}` })
        .first()
        .waitFor({ timeout: 15000 });
    const csvFile = path.join(d.env.workspace, 'exported-results.csv');
    await panel.locator('#btn-export-csv').click();
    await saveAs(csvFile);
    await saved('exported-results.csv');
    const svgFile = path.join(d.env.workspace, 'exported-chart.svg');
    await panel.locator('#btn-export-svg').click();
    await saveAs(svgFile);
    await saved('exported-chart.svg');
    for (const file of [csvFile, svgFile]) {
      for (let i = 0; i < 100 && !fs.existsSync(file); i++) {
        await page.waitForTimeout(100);
      }
    }
    const csv = fs.readFileSync(csvFile, 'utf8');
    assert.match(csv.split('\n')[0], /accuracy/);
    assert.equal(csv.trim().split('\n').length, 4, 'a header and a line per configuration');
    const svg = fs.readFileSync(svgFile, 'utf8');
    assert.match(svg, /^<\?xml[^]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.match(svg, />t=9</);
  });

  it('a click on a cell of the grid opens that run in the reasoning panel', async () => {
    assert.ok(panel, 'the panel of the first test');
    const mark = panel
      .locator('#eval-grid .grid-row', { hasText: 'd01' })
      .locator('.cell[data-config="base"] button.mark');
    const before = await d.countWebviews(page);
    await mark.click();
    const reasoning = await d.waitForWebview(page, before, { selector: '#steps .step' });
    await statusIs(reasoning, /finished/i);
    assert.ok((await reasoning.locator('#steps .step').count()) > 0);
    assert.match((await reasoning.locator('.problem-text').textContent()) ?? '', /rectangle has a perimeter of 30 cm/);
    await d.screenshot(page, 'evaluate-open-run.png');
    // The reasoning panel opened beside without taking focus: close it from the Evaluate panel's group.
    await d.runCommand(page, 'View: Close Editors in Other Groups');
    await panel.locator('#btn-run').waitFor();
  });

  it('cancel keeps the finished runs; Resume completes the set', async () => {
    pair.base.setLatency(SLOW);
    pair.small.setLatency(SLOW);
    await fillForm(panel, { thresholds: '5', limit: 8 });
    await panel.locator('#btn-run').click();
    await statusIs(panel, 'Running');
    await panel.locator('#eval-grid button.mark').nth(2).waitFor({ timeout: 90000 });
    await panel.locator('#btn-cancel').click();
    await statusIs(panel, 'Cancelled');
    const kept = await panel.locator('#eval-grid button.mark').count();
    assert.ok(kept >= 3 && kept < 16, `kept ${kept} runs`);
    assert.match((await panel.locator('#eval-progress-text').textContent()) ?? '', /cancelled: finished runs are kept/);
    pair.base.setLatency(FAST);
    pair.small.setLatency(FAST);
    await panel.locator('#btn-resume').click();
    await statusIs(panel, 'Finished');
    assert.equal(await panel.locator('#eval-grid button.mark').count(), 16, '8 problems × 2 configurations');
    assert.match((await panel.locator('#eval-progress-text').textContent()) ?? '', /^16 \/ 16 runs/);
  });

  it('"Use this threshold" writes specreason.threshold to settings.json', async () => {
    await panel.locator('#eval-threshold-target').selectOption('user');
    await panel.locator('#eval-table tr[data-config="specreason-t5-greedy"] button.use-threshold').click();
    await d.waitForSetting('specreason.threshold', 5);
    await panel
      .locator('#eval-table tr[data-config="specreason-t5-greedy"] button.use-threshold', {
        hasText: 'Current threshold',
      })
      .waitFor({ timeout: 15000 });
  });

  it('the panel comes back after a window reload, showing its evaluation (WebviewPanelSerializer)', async () => {
    // As a user does: the command shuts the workbench down properly (webview state saved), then reloads.
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await d.runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    const restored = await d.waitForWebview(page, 0, { selector: '#eval-grid button.mark', timeout: 60000 });
    await statusIs(restored, 'Finished');
    assert.equal(await restored.locator('#eval-grid button.mark').count(), 16, 'the evaluation of its output folder');
    assert.match((await restored.locator('#eval-out').textContent()) ?? '', /\.specreason[\\/]evals[\\/]/);
  });
});
