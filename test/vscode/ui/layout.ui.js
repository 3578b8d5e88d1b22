// @ts-check
'use strict';
// Panels as a user with many problems finds them (issue 12): one Solve panel and one Compare panel,
// reused; a pin keeps a panel; tab titles with the start of the problem and the answer.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

describe('Panel reuse, pin and titles', function () {
  this.timeout(240000);
  /** @type {any} */
  let pair;
  /** @type {any} */
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
  async function runOnProblem(command) {
    const line = await d.openFile(page, 'problem.md', PROBLEM_LINE);
    await line.click();
    await page.keyboard.press('Home');
    await page.keyboard.press('Shift+End');
    await page.keyboard.press('Shift+End');
    const requests = pair.small.log.length;
    await d.runCommand(page, command);
    return requests;
  }

  /** Wait (polling, no time assertion) until the small server got a request after `count` of them. */
  async function requestAfter(count) {
    for (let i = 0; i < 600 && pair.small.log.length <= count; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(pair.small.log.length > count, 'the run reached the server');
  }

  const tab = (text) => page.locator('.tabs-container .tab', { hasText: text }).first();

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
    assert.equal(await d.countWebviews(page), 1);

    // Solve again: the same panel runs the problem again; no second tab.
    const before = await runOnProblem('SpecReason: Solve Selection');
    await requestAfter(before); // the panel was reset before the run's first request
    await solvePanel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    await tab('Solve: A rectangle has a perimeter of… → 50').waitFor({ timeout: 15000 });
    assert.equal(await d.countWebviews(page), 1, 'the Solve panel was reused');
    assert.equal(await solvePanel.locator('.step').count(), 8, 'the reused panel shows only the new run');

    // Compare opens the Compare panel.
    await runOnProblem('SpecReason: Compare with Base Model');
    await tab('Compare: A rectangle has a perimeter of… → 50').waitFor({ timeout: 60000 });
    assert.equal(await d.countWebviews(page), 2);

    // Pin the Solve panel: the next Solve opens a panel of its own.
    await tab('Solve: A rectangle').click();
    const pin = solvePanel.locator('#btn-pin');
    await pin.click();
    await solvePanel.locator('#btn-pin[aria-pressed="true"]', { hasText: 'Pinned' }).waitFor({ timeout: 10000 });
    await runOnProblem('SpecReason: Solve Selection');
    await page.waitForFunction((sel) => document.querySelectorAll(sel).length === 3, d.SEL.webview, { timeout: 30000 });
    await page.locator('.tabs-container .tab', { hasText: 'Solve: A rectangle' }).nth(1).waitFor({ timeout: 15000 });
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-tabs.png'));
    await closeAll();
  });
});
