'use strict';
// UI tests for the first-run path: CodeLens "Solve | Compare" on problems in Markdown and JSONL files, and the
// "Get started with SpecReason" walkthrough, whose steps complete as the user runs their commands. The
// simulated vLLM pair runs in this process; the extension finds it through the URL settings.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').FrameLocator} FrameLocator */
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const LENS = '.codelens-decoration > a';

describe('SpecReason CodeLens and walkthrough in code-server', function () {
  this.timeout(180000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  const closeEditors = () => d.closeAllEditors(page);

  /** Click the index-th lens titled `title` in the active editor; returns the panel it opened. */
  async function clickLens(/** @type {string} */ title, index = 0) {
    const lens = page.locator(LENS, { hasText: new RegExp(`^\\W*${title}$`) }).nth(index);
    await lens.waitFor({ timeout: 30000 });
    return d.panelOpenedBy(page, () => lens.click());
  }

  const finished = (/** @type {FrameLocator} */ panel) =>
    panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 60000 });

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await closeEditors(); // the next UI file's page would restore them
    }
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('CodeLens: Solve above the Problem heading of problem.md solves that problem', async () => {
    await closeEditors();
    await d.openFile(page, 'problem.md', 'A rectangle has a perimeter');
    await page
      .locator(LENS, { hasText: /Solve$/ })
      .first()
      .waitFor({ timeout: 30000 });
    assert.equal(await page.locator(LENS, { hasText: /Solve$/ }).count(), 1, 'one problem, one Solve lens');
    assert.equal(await page.locator(LENS, { hasText: /^Compare$/ }).count(), 1);
    await d.screenshot(page, path.join(d.env.artifacts, 'codelens-markdown.png'));
    const panel = await clickLens('Solve');
    await finished(panel);
    assert.match((await panel.locator('.problem').first().textContent()) ?? '', /perimeter of 30 cm/);
    assert.match((await panel.locator('#answer').textContent()) ?? '', /50/);
  });

  it('CodeLens: Compare on the second line of a .jsonl problem set compares that line', async () => {
    await closeEditors();
    await d.openFile(page, 'problems.jsonl', 'square-2');
    await page
      .locator(LENS, { hasText: /^Compare$/ })
      .nth(1)
      .waitFor({ timeout: 30000 });
    assert.equal(await page.locator(LENS, { hasText: /^Compare$/ }).count(), 2, 'a lens pair on each line');
    const panel = await clickLens('Compare', 1);
    await panel.locator('.compare-column').nth(1).waitFor({ timeout: 60000 });
    assert.match((await panel.locator('.problem').first().textContent()) ?? '', /A square has a perimeter of 36 cm/);
  });

  it('the walkthrough opens, and its steps complete as their commands run', async () => {
    await closeEditors();
    await d.runCommand(page, 'Welcome: Open Walkthrough...');
    await page.locator(d.SEL.quickInput).fill('SpecReason');
    await d.chooseQuickRow(page, 'Get started with SpecReason');
    const step = (/** @type {string} */ id) => page.locator(`button.getting-started-step[data-step-id$="${id}"]`);
    await step('servers').waitFor({ timeout: 30000 });
    await d.screenshot(page, path.join(d.env.artifacts, 'walkthrough.png'));
    const done = async (/** @type {string} */ id) => (await step(id).getAttribute('aria-checked')) === 'true';
    // The CodeLens tests above ticked solve and compare (walkthrough.ui.js checks each route from a fresh start).
    for (const id of ['servers', 'check', 'tune', 'evaluate']) {
      assert.equal(await done(id), false, `${id} starts unchecked`);
    }
    /** Expand a step and click its command button. */
    const press = async (/** @type {string} */ id, /** @type {string} */ button) => {
      await step(id).click();
      await page.locator('.getting-started-step.expanded').getByText(button, { exact: true }).first().click();
    };
    await press('servers', 'Start Servers'); // both simulated servers answer: reused, nothing started
    await page
      .locator('.notifications-toasts', { hasText: /servers ready/ })
      .first()
      .waitFor({ timeout: 30000 });
    await press('check', 'Check Servers');
    await press('tune', 'Tune Threshold and Budget');
    await page.waitForTimeout(1000); // its quick pick may show (or lose focus to the walkthrough at once)
    // Escape only in the quick pick: pressed in the walkthrough, it goes back to the Welcome page.
    const tunePick = page.locator(d.SEL.quickInput);
    if (await tunePick.isVisible()) {
      await tunePick.press('Escape');
    }
    await press('evaluate', 'Evaluate a Problem Set'); // asks for the problem set's file: cancelled
    const dialog = page.locator(d.SEL.quickInput);
    await dialog.waitFor({ timeout: 10000 });
    await dialog.press('Escape');
    await dialog.waitFor({ state: 'hidden', timeout: 10000 });
    await press('solve', 'Open a Sample Problem'); // an untitled Markdown problem, with its lenses
    await page
      .locator(LENS, { hasText: /Solve$/ })
      .first()
      .waitFor({ timeout: 30000 });
    // The step buttons run the commands with no editor focused: they ask for the problem.
    const openWalkthrough = async () => {
      await d.runCommand(page, 'Welcome: Open Walkthrough...');
      await page.locator(d.SEL.quickInput).fill('SpecReason');
      await d.chooseQuickRow(page, 'Get started with SpecReason');
      await step('solve').waitFor({ timeout: 30000 });
    };
    for (const [id, button] of [
      ['solve', 'Solve Selection'],
      ['compare', 'Compare with Base Model'],
    ]) {
      await openWalkthrough();
      await press(id, button);
      const box = page.locator(d.SEL.quickInput);
      await box.waitFor({ timeout: 10000 });
      await box.fill('What is 17 * 23?');
      // Press Enter in the box itself: the walkthrough may take the focus back as its step expands.
      await box.press('Enter');
      await box.waitFor({ state: 'hidden', timeout: 10000 });
      // The panel's tab, by its title (attached: it may be scrolled out of a crowded tab strip).
      await page
        .locator('.tab', { hasText: /(Solve|Compare): What is 17/ })
        .first()
        .waitFor({ state: 'attached', timeout: 30000 });
    }
    await openWalkthrough();
    const states = () =>
      page
        .locator('[data-done-step-id]')
        .evaluateAll((els) =>
          els.map((e) => `${e.getAttribute('data-done-step-id')}=${e.getAttribute('aria-checked')}`),
        );
    const deadline = Date.now() + 15000;
    while ((await states()).some((s) => s.endsWith('=false')) && Date.now() < deadline) {
      await page.waitForTimeout(250);
    }
    console.log(`      walkthrough steps: ${(await states()).join(', ')}`);
    assert.ok(!(await states()).some((s) => s.endsWith('=false')), 'every step is checked');
    await d.screenshot(page, path.join(d.env.artifacts, 'walkthrough-done.png'));
  });
});
