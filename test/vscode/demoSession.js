// @ts-check
'use strict';
// The demo's Evaluate session for UI files: the demo's own settings (written by scripts/demo-settings.js, as
// scripts/demo.sh writes them; zero latency here), the demo set copied into the workspace as demo.sh does, Start
// Servers running the simulated pair, and the Evaluate panel opened on the demo set from the Explorer menu.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const d = require('./driver');

const REPO = path.resolve(__dirname, '../..');

/** Whether a simulated server answers /v1/models on the port. */
async function answers(/** @type {number} */ port) {
  try {
    const res = await fetch(`http://localhost:${port}/v1/models`);
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * Register the calling `describe`'s hooks: the demo's settings in before (User and Remote settings, restored in
 * after, with Stop Servers), a page on the workbench, a screenshot of a failing test. `name` keeps each file's
 * settings files apart in the artifacts. The returned session's page is set once before has run.
 * @param {string} name
 */
function demoSession(name) {
  const session = {
    /** @type {import('playwright-core').Browser | undefined} */
    browser: undefined,
    /** @type {import('playwright-core').Page} */
    page: /** @type {any} */ (undefined),
    ports: { base: 0, small: 0 },
  };
  let settingsBefore = '{}';
  /** @type {string | undefined} */
  let remoteBefore;
  const remote = () => /** @type {string} */ (d.env.remoteSettingsFile);

  before(async function () {
    session.ports.base = await d.freePort();
    session.ports.small = await d.freePort();
    settingsBefore = fs.readFileSync(/** @type {string} */ (d.env.settingsFile), 'utf8');
    // The ports in User settings, what Start Servers runs in Remote settings.
    const artifacts = /** @type {string} */ (d.env.artifacts);
    const demoUser = path.join(artifacts, `${name}-settings.json`);
    const demoRemote = path.join(artifacts, `${name}-remote-settings.json`);
    execFileSync(process.execPath, [path.join(REPO, 'scripts/demo-settings.js'), demoUser, demoRemote], {
      env: {
        ...process.env,
        BASE_PORT: String(session.ports.base),
        SMALL_PORT: String(session.ports.small),
        LATENCY: 'zero',
        SIMULATOR: `node "${REPO}/dist/simulated-vllm.js" serve`,
      },
    });
    const user = { ...JSON.parse(settingsBefore), ...JSON.parse(fs.readFileSync(demoUser, 'utf8')) };
    // Settings other UI files leave behind (server URLs) would override the demo's ports: the demo has none of them.
    delete user['specreason.server.baseUrl'];
    delete user['specreason.server.smallUrl'];
    fs.writeFileSync(/** @type {string} */ (d.env.settingsFile), JSON.stringify(user, null, 2));
    remoteBefore = fs.existsSync(remote()) ? fs.readFileSync(remote(), 'utf8') : undefined;
    fs.mkdirSync(path.dirname(remote()), { recursive: true });
    fs.copyFileSync(demoRemote, remote());
    fs.copyFileSync(
      path.join(REPO, 'examples/demo-set.jsonl'),
      path.join(/** @type {string} */ (d.env.workspace), 'demo-set.jsonl'),
    );
    session.browser = await d.launchBrowser();
    session.page = await d.newPage(session.browser);
    await d.openWorkbench(session.page, d.env.url, d.env.workspace);
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, session.page);
  });

  after(async () => {
    const { page, ports } = session;
    if (page) {
      await d.runCommand(page, 'SpecReason: Stop Servers').catch(() => undefined);
      for (let i = 0; i < 100 && ((await answers(ports.base)) || (await answers(ports.small))); i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      await d.clearNotifications(page).catch(() => undefined);
      await d.closeAllEditors(page).catch(() => undefined);
    }
    fs.writeFileSync(/** @type {string} */ (d.env.settingsFile), settingsBefore);
    if (remoteBefore === undefined) {
      fs.rmSync(remote(), { force: true });
    } else {
      fs.writeFileSync(remote(), remoteBefore);
    }
    if (session.browser) {
      await session.browser.close();
    }
  });

  return session;
}

/**
 * Start Servers (the simulated pair, as the demo's settings say), then Evaluate Problem Set… on the demo set from
 * the Explorer menu; returns the Evaluate panel once it shows the set.
 * @param {ReturnType<typeof demoSession>} session
 */
async function evaluateDemoSet({ page, ports }) {
  await d.runCommand(page, 'SpecReason: Start Servers');
  for (let i = 0; i < 150 && !((await answers(ports.base)) && (await answers(ports.small))); i++) {
    await page.waitForTimeout(200);
  }
  assert.ok((await answers(ports.base)) && (await answers(ports.small)), 'Start Servers started the simulated pair');
  await page.locator(d.SEL.explorerRow, { hasText: 'demo-set.jsonl' }).first().waitFor({ timeout: 30000 });
  const before = await d.countWebviews(page);
  await d.explorerMenu(page, 'demo-set.jsonl', 'Evaluate Problem Set…');
  const panel = await d.waitForWebview(page, before, { selector: '#btn-run' });
  await panel.locator('#eval-dataset', { hasText: 'demo-set.jsonl · 12 problems' }).waitFor({ timeout: 30000 });
  return panel;
}

module.exports = { demoSession, evaluateDemoSet };
