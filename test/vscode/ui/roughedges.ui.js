// @ts-check
'use strict';
// The rough edges a new user met (issue 19), in code-server with the packaged .vsix: Enter in an empty problem
// box keeps it open with a hint (it used to close and then complain); Check Servers' report opens rendered and
// calls the simulator simulated; the same problem solved twice while it runs, or a history entry opened twice,
// shows the panel it already has instead of a duplicate tab.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
const FAST = { prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 0 };

describe('Rough edges of the first minutes', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
    pair.base.setLatency(FAST);
    pair.small.setLatency(FAST);
  });

  after(async () => {
    await browser?.close();
    await pair?.stop();
  });

  const toast = (/** @type {string} */ text) => page.locator('.notification-toast', { hasText: text }).first();

  it('Enter in an empty problem box keeps it open and says what to do; a typed problem then runs', async () => {
    await d.closeAllEditors(page);
    await d.clearNotifications(page).catch(() => undefined);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const box = page.locator(d.SEL.quickInput);
    await box.waitFor({ state: 'visible', timeout: 15000 });
    await box.press('Enter');
    await page
      .locator('.quick-input-widget', { hasText: 'Type the problem first' })
      .first()
      .waitFor({ timeout: 10000 });
    assert.ok(await box.isVisible(), 'the box is still open');
    assert.equal(await toast('the selection is empty').count(), 0, 'no complaint after the fact');
    await box.fill('What is 2+2?');
    await box.press('Enter');
    const panel = await d.waitForWebview(page, before, { selector: '#app' });
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
  });

  it('Check Servers: the report opens rendered (a Markdown preview) and names the simulated server as simulated', async () => {
    await d.closeAllEditors(page);
    await d.clearNotifications(page).catch(() => undefined);
    await d.runCommand(page, 'SpecReason: Check Servers');
    const up = toast('both servers are up');
    await up.waitFor({ timeout: 30000 });
    const before = await d.countWebviews(page);
    await up.locator('.monaco-button', { hasText: 'Show Report' }).first().click();
    const preview = await d.waitForWebview(page, before, { selector: 'h1', timeout: 30000 });
    assert.match((await preview.locator('h1').first().textContent()) ?? '', /SpecReason: server check/);
    const text = (await preview.locator('body').textContent()) ?? '';
    assert.match(text, /simulated vLLM \(SpecReason's test server/);
    assert.doesNotMatch(text, /, vLLM 0\.11\.0,/, 'the simulator is not presented as vLLM');
    assert.equal(
      await page.locator(d.SEL.editorLine, { hasText: '# SpecReason: server check' }).count(),
      0,
      'not as raw Markdown',
    );
    await d.screenshot(page, path.join(d.env.artifacts, 'server-report-preview.png'));
  });

  it('no duplicate tabs: Solve of the problem already running shows its panel; a history entry opened twice, once', async () => {
    await d.closeAllEditors(page);
    await d.clearNotifications(page).catch(() => undefined);
    pair.small.setLatency({ ...FAST, decodeMsPerToken: 150 }); // a run of about 20 s: still going at the second Solve
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '#app' });
    await panel.locator('#status', { hasText: /running/i }).waitFor({ timeout: 30000 });
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    await toast('already being solved').waitFor({ timeout: 15000 });
    assert.equal(await d.countWebviews(page), before + 1, 'no second panel for the same running problem');
    assert.equal(await page.locator('.tab', { hasText: 'Solve: A rectangle' }).count(), 1, 'one Solve tab');
    assert.match((await panel.locator('#status').textContent()) ?? '', /running/i, 'the first run was still going');
    await panel.locator('#btn-cancel').click();
    await panel.locator('#status', { hasText: /cancelled/i }).waitFor({ timeout: 30000 });
    pair.small.setLatency(FAST);

    // The run just saved is the newest history entry: opening it shows the panel that has it, twice over.
    for (let i = 0; i < 2; i++) {
      await d.runCommand(page, 'SpecReason: Show Run History');
      await page.locator(d.SEL.quickRow).first().waitFor({ timeout: 15000 });
      await page.keyboard.press('Enter');
      await page.waitForTimeout(1000);
      assert.equal(await d.countWebviews(page), before + 1, `history open ${i + 1}: no new panel`);
    }
    assert.equal(await page.locator('.tab', { hasText: 'Solve: A rectangle' }).count(), 1, 'still one Solve tab');
  });
});
