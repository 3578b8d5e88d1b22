// @ts-check
'use strict';
// The "Get started with SpecReason" walkthrough ticks each step however its command runs: a CodeLens (which runs
// the command inside the extension host, unseen by VS Code's `onCommand`), a keybinding, the Explorer's context
// menu, the status bar, the Command Palette. A fresh browser (walkthrough progress lives in its storage) and
// settings written on disk before the page loads (a setting changed in the UI would tick the servers step).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const LENS = '.codelens-decoration > a';
const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
const STEPS = ['servers', 'check', 'solve', 'compare', 'tune', 'evaluate'];

describe('Walkthrough: each step completes however its command runs', function () {
  this.timeout(240000);
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {SimPair} */
  let pair;
  let originalUser = '{}';

  const step = (/** @type {string} */ id) => page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
  const states = () =>
    page
      .locator('[data-done-step-id]')
      .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-done-step-id')}=${e.getAttribute('aria-checked')}`));
  const toast = (/** @type {string | RegExp} */ text) =>
    page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();

  async function openWalkthrough() {
    await d.runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator(d.SEL.quickInput).fill('SpecReason');
    await d.chooseQuickRow(page, 'Get started with SpecReason');
    await step('servers').waitFor({ timeout: 30000 });
  }

  before(async () => {
    pair = await startSimPair(DEMO_SCENARIO);
    const file = /** @type {string} */ (d.env.settingsFile);
    originalUser = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(
      file,
      JSON.stringify(
        {
          ...JSON.parse(originalUser),
          'specreason.server.baseUrl': pair.base.baseUrl,
          'specreason.server.smallUrl': pair.small.baseUrl,
          'specreason.server.maxRetries': 0,
        },
        null,
        2,
      ),
    );
    browser = await d.launchBrowser();
    page = await d.newPage(browser);
    await d.openWorkbench(page, d.env.url, d.env.workspace);
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await d.closeAllEditors(page).catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    fs.writeFileSync(/** @type {string} */ (d.env.settingsFile), originalUser);
    if (pair) {
      await pair.stop();
    }
  });

  it('CodeLens, keybinding, Explorer menu, status bar and palette each tick their step', async () => {
    await openWalkthrough();
    for (const id of STEPS) {
      assert.equal(await step(id).getAttribute('aria-checked'), 'false', `${id} starts unchecked`);
    }
    await d.closeAllEditors(page);

    // solve: the keybinding, on a selected problem
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    let panel = await d.panelOpenedBy(page, () => page.keyboard.press('Control+Alt+R'));
    await panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 60000 });
    await d.closeAllEditors(page);

    // compare: the CodeLens (run inside the extension host)
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    const lens = page.locator(LENS, { hasText: /^Compare$/ }).first();
    await lens.waitFor({ timeout: 30000 });
    panel = await d.panelOpenedBy(page, () => lens.click());
    await panel.locator('.compare-column').nth(1).waitFor({ timeout: 60000 });
    await d.closeAllEditors(page);

    // evaluate: the Explorer's context menu on a problem set
    await d.explorerMenu(page, 'problems.jsonl', 'Evaluate Problem Set');
    await page
      .locator('.tab', { hasText: /Evaluat/ })
      .first()
      .waitFor({ state: 'attached', timeout: 30000 });
    await d.closeAllEditors(page);

    // tune: the status bar item (its quick pick, dismissed)
    await page.locator('.statusbar-item', { hasText: 'SpecReason' }).first().click();
    await page.locator(d.SEL.quickInput).waitFor({ timeout: 10000 });
    await page.keyboard.press('Escape');

    // check and servers: the palette
    await d.runCommand(page, 'SpecReason: Check Servers');
    await d.runCommand(page, 'SpecReason: Start Servers'); // both answer: reused
    await toast(/servers ready/).waitFor({ timeout: 30000 });
    await d.clearNotifications(page);
    await d.closeAllEditors(page);

    await openWalkthrough();
    const deadline = Date.now() + 15000;
    while ((await states()).some((s) => s.endsWith('=false')) && Date.now() < deadline) {
      await page.waitForTimeout(250);
    }
    console.log(`      walkthrough steps: ${(await states()).join(', ')}`);
    assert.deepEqual(
      (await states()).filter((s) => s.endsWith('=false')),
      [],
      'every step is checked',
    );
    await d.screenshot(page, path.join(d.env.artifacts, 'walkthrough-done.png'));
  });
});
