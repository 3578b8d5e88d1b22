// @ts-check
'use strict';
// Start Servers in a remote window (a browser window of code-server is one, as Remote-SSH, WSL and dev containers
// are): its launch settings are read from User settings and from Remote settings, never from a workspace.
// VS Code drops machine-scoped values from the local User settings of a remote window once it re-reads them
// (after any setting is written through VS Code); the launch settings are not machine-scoped, so a write must not
// turn Start Servers into `vllm serve`. The configured command is the fake `vllm` of test/fixtures/fake-vllm by
// its full path (a plain `vllm` is not on the extension host's PATH here, so the default would fail).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */

const REPO = path.resolve(__dirname, '../../..');
const FAKE_VLLM = `"${REPO}/test/fixtures/fake-vllm/vllm" serve`;

/** Live processes of the fake vLLM's engine-core stand-in for a port (only the configured command starts one). */
const fakeWorkers = (/** @type {number} */ port) =>
  d.liveProcesses((args) => args.some((a) => a.includes(`fake-vllm-engine-core-${port}`)));

describe('Start Servers in a remote window: launch settings from User and Remote settings, never from a workspace', function () {
  this.timeout(240000);
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  let ports = { base: 0, small: 0 };
  let originalUser = '{}';
  const userFile = () => /** @type {string} */ (d.env.settingsFile);
  const remoteFile = () => /** @type {string} */ (d.env.remoteSettingsFile);
  const workspaceFile = () => path.join(/** @type {string} */ (d.env.workspace), '.vscode', 'settings.json');

  const toast = (/** @type {string | RegExp} */ text) =>
    page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  const message = async (/** @type {string | RegExp} */ text) =>
    (await toast(text).locator('.notification-list-item-message').textContent()) ?? '';

  /**
   * Write the three settings files (undefined: none) and load the workbench afresh.
   * @param {{ user?: object, remote?: object, workspace?: object }} layers
   */
  async function openWith({ user = {}, remote = undefined, workspace = undefined }) {
    const urls = {
      'specreason.server.baseUrl': `http://127.0.0.1:${ports.base}/v1`,
      'specreason.server.smallUrl': `http://127.0.0.1:${ports.small}/v1`,
      'specreason.server.maxRetries': 0,
    };
    fs.writeFileSync(userFile(), JSON.stringify({ ...JSON.parse(originalUser), ...urls, ...user }, null, 2));
    for (const [file, settings] of /** @type {Array<[string, object | undefined]>} */ ([
      [remoteFile(), remote],
      [workspaceFile(), workspace],
    ])) {
      fs.rmSync(file, { force: true });
      if (settings) {
        fs.mkdirSync(path.dirname(file), { recursive: true });
        fs.writeFileSync(file, JSON.stringify(settings, null, 2));
      }
    }
    await d.openWorkbench(page, d.env.url, d.env.workspace);
  }

  async function startServers() {
    await d.runCommand(page, 'SpecReason: Start Servers');
    await toast(/servers ready/).waitFor({ timeout: 60000 });
    return message(/servers ready/);
  }

  async function stopServers() {
    await d.runCommand(page, 'SpecReason: Stop Servers');
    await d.waitUntil(() => fakeWorkers(ports.base).length + fakeWorkers(ports.small).length === 0, 'they stopped');
    await d.clearNotifications(page);
  }

  before(async function () {
    ports = { base: await d.freePort(), small: await d.freePort() };
    originalUser = fs.readFileSync(userFile(), 'utf8');
    browser = await d.launchBrowser();
    page = await d.newPage(browser);
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await d.runCommand(page, 'SpecReason: Stop Servers').catch(() => undefined);
      await d.clearNotifications(page).catch(() => undefined);
      await d.closeAllEditors(page).catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    fs.writeFileSync(userFile(), originalUser); // the next UI file's page reads them afresh
    fs.rmSync(remoteFile(), { force: true });
    fs.rmSync(workspaceFile(), { force: true });
  });

  it('launch settings in User settings still run after a setting is written through VS Code', async () => {
    await openWith({
      user: {
        'specreason.launch.base.command': FAKE_VLLM,
        'specreason.launch.small.command': FAKE_VLLM,
        'specreason.launch.base.model': 'user/Base',
        'specreason.launch.small.model': 'user/Small',
      },
    });
    // Written through VS Code (the Settings editor writes User settings.json): VS Code re-reads the file with the
    // remote window's scopes applied, which is when machine-scoped values in it were dropped.
    await d.openSettingsAndSet(page, 'specreason.threshold', 6, { close: true });
    await page.waitForTimeout(1000); // the re-read reaches the extension host
    const ready = await startServers();
    console.log(`      ${ready}`);
    assert.match(ready, /base started \(user\/Base on port \d+\), small started \(user\/Small on port \d+\)/);
    assert.ok(fakeWorkers(ports.base).length > 0, 'the base server is the configured fake vllm');
    assert.ok(fakeWorkers(ports.small).length > 0, 'the small server is the configured fake vllm');
    await stopServers();
  });

  it('Remote settings are read too, and win over User settings', async () => {
    await openWith({
      user: {
        'specreason.launch.base.command': FAKE_VLLM,
        'specreason.launch.small.command': FAKE_VLLM,
        'specreason.launch.base.model': 'user/Base',
        'specreason.launch.small.model': 'user/Small',
      },
      remote: { 'specreason.launch.base.model': 'remote/Base' },
    });
    await d.openSettingsAndSet(page, 'specreason.threshold', 5, { close: true });
    await page.waitForTimeout(1000);
    const ready = await startServers();
    console.log(`      ${ready}`);
    assert.match(ready, /base started \(remote\/Base on port \d+\), small started \(user\/Small on port \d+\)/);
    await stopServers();
  });

  it('a launch command set only in workspace settings: Start Servers says it is ignored and opens Remote settings', async () => {
    await openWith({
      user: { 'specreason.launch.base.command': FAKE_VLLM },
      workspace: { 'specreason.launch.small.command': FAKE_VLLM },
    });
    await d.runCommand(page, 'SpecReason: Start Servers');
    const warning = toast(/Start Servers would use the defaults/);
    await warning.waitFor({ timeout: 30000 });
    const text = await message(/Start Servers would use the defaults/);
    console.log(`      ${text}`);
    assert.match(text, /specreason\.launch\.small\.command is set in this workspace's settings/);
    assert.match(text, /Remote settings/);
    assert.doesNotMatch(text, /launch\.base\.command/, 'the base command is in User settings: used');
    await d.screenshot(page, path.join(d.env.artifacts, 'remote-launch-settings-ignored.png'));
    assert.equal(fakeWorkers(ports.small).length, 0, 'nothing started before the user answers');
    await warning.locator('.monaco-button', { hasText: 'Open Remote Settings' }).first().click();
    // The Settings editor, on its Remote tab, filtered to the launch settings.
    const search = page.locator(d.SEL.settingsSearch);
    await search.waitFor({ state: 'visible', timeout: 20000 });
    await d.waitUntil(
      async () => /specreason\.launch/.test(await search.inputValue()),
      'the search names the settings',
    );
    const tab = page.locator('.settings-editor .settings-tabs-widget .action-label.checked');
    await tab.first().waitFor({ timeout: 10000 });
    assert.match((await tab.first().textContent()) ?? '', /Remote/);
    await d.screenshot(page, path.join(d.env.artifacts, 'remote-settings-opened.png'));
    assert.equal(fakeWorkers(ports.small).length, 0, 'nothing was started');
    await d.clearNotifications(page);
    await d.closeAllEditors(page);
  });
});
