'use strict';
// Where the API key goes, in code-server with the packaged .vsix: a workspace's .vscode/settings.json
// cannot redirect the extension (nor its key) to another server, and a key set for one server is sent to
// another only after a modal question. Two simulated servers: "ours" (wants the key) and "other" (logs
// every Authorization header it receives).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').RequestLogEntry} RequestLogEntry */
/** @typedef {import('../types').FrameLocator} FrameLocator */
/** @typedef {import('../types').SimPair} SimPair */
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const KEY = 'ui-test-key-0b5e';
const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

describe('API key and server settings in code-server (packaged .vsix)', function () {
  this.timeout(180000);
  /** @type {SimPair} */
  let ours;
  /** @type {SimPair} */
  let other;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;
  const workspaceSettings = path.join(d.env.workspace, '.vscode', 'settings.json');
  const sawKey = (/** @type {SimPair} */ pair) =>
    [...pair.base.log, ...pair.small.log].filter((e) => (e.authorization ?? '').includes(KEY));

  /** Solve the problem line; `answerDialog` clicks a button of the modal that must come first. */
  async function solve(/** @type {string | undefined} */ answerDialog = undefined) {
    await d.runCommand(page, 'View: Close All Editors');
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    if (answerDialog) {
      const dialog = page.locator('.monaco-dialog-box');
      await dialog.waitFor({ timeout: 30000 });
      const origin = new URL(other.base.baseUrl).origin;
      assert.ok(((await dialog.textContent()) ?? '').includes(`send the base server's API key to ${origin}?`));
      await dialog.locator('.monaco-button', { hasText: answerDialog }).click();
      await dialog.waitFor({ state: 'detached', timeout: 10000 });
    }
    return d.waitForWebview(page, before, { selector: '#app' });
  }
  const statusIs = (/** @type {FrameLocator} */ frame, /** @type {string | RegExp} */ text) =>
    frame.locator('#status', { hasText: text }).first().waitFor({ timeout: 60000 });

  async function reloadWindow() {
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await d.runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector(d.SEL.workbench, { timeout: 60000 });
    await page.waitForSelector(d.SEL.explorerRow, { timeout: 60000 });
  }

  before(async function () {
    ours = await startSimPair(DEMO_SCENARIO, { base: { apiKey: KEY }, small: { apiKey: KEY } });
    other = await startSimPair(DEMO_SCENARIO);
    ({ browser, page } = await d.openWorkbenchOnPair(ours));
    await d.runCommand(page, 'SpecReason: Set API Key');
    await page.locator(d.SEL.quickRow, { hasText: 'Both servers' }).first().click();
    const box = page.locator(d.SEL.quickInput);
    await box.waitFor({ state: 'visible' });
    await box.fill(KEY);
    await box.press('Enter');
    await page.locator('.notification-toast', { hasText: 'API key saved' }).first().waitFor({ timeout: 15000 });
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    fs.rmSync(path.join(d.env.workspace, '.vscode'), { recursive: true, force: true });
    if (page) {
      await d.runCommand(page, 'SpecReason: Clear API Key').catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    await ours?.stop();
    await other?.stop();
  });

  it("a workspace's .vscode/settings.json cannot send requests or the key to another server", async () => {
    fs.mkdirSync(path.dirname(workspaceSettings), { recursive: true });
    fs.writeFileSync(
      workspaceSettings,
      JSON.stringify({
        'specreason.server.baseUrl': other.base.baseUrl,
        'specreason.server.smallUrl': other.small.baseUrl,
        'specreason.server.host': '127.0.0.1',
      }),
    );
    await reloadWindow();
    // SpecReason reads the settings when it is first used (it activates on its files and commands, not at start-up).
    const warned = page
      .locator('.notification-toast', { hasText: /this workspace sets specreason\.server\..*ignored/ })
      .first()
      .waitFor({ timeout: 60000 });
    const panel = await solve();
    await warned;
    await statusIs(panel, /finished/i);
    assert.equal(await panel.locator('.step').count(), 8, 'the run used the servers of the user settings');
    assert.ok(
      ours.base.log.some((/** @type {RequestLogEntry} */ e) => e.authorization === `Bearer ${KEY}`),
      'our server got the key',
    );
    assert.deepEqual(
      [...other.base.log, ...other.small.log].map((e) => e.path),
      [],
      'the workspace-chosen server got no request at all (no health check either)',
    );
    fs.rmSync(workspaceSettings);
  });

  it('a key set for one server is sent to another only after a modal question', async () => {
    // The user points the base model at another server: runs may go there, the key only if the user says so.
    await d.openSettingsAndSet(page, 'specreason.server.baseUrl', other.base.baseUrl, { close: true });
    let panel = await solve('Cancel');
    await statusIs(panel, /finished/i); // the other server wants no key
    assert.ok(
      other.base.log.some((/** @type {RequestLogEntry} */ e) => e.path === '/v1/chat/completions'),
      'the run went to the other server',
    );
    assert.deepEqual(sawKey(other), [], 'without the key');

    panel = await solve('Send Once');
    await statusIs(panel, /finished/i);
    assert.ok(sawKey(other).length > 0, 'sent once the user agreed');
    await d.openSettingsAndSet(page, 'specreason.server.baseUrl', ours.base.baseUrl, { close: true });
  });
});
