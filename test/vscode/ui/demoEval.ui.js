// @ts-check
'use strict';
// Evaluate in the demo, on the demo's own settings (written by scripts/demo-settings.js, as scripts/demo.sh
// writes them; zero latency here): Start Servers runs the simulated pair, the demo set (copied into the workspace
// as demo.sh does) is evaluated at thresholds 3, 5, 7, 9 with base-only, and accuracy rises with the threshold.
// The Evaluate panel carries the SIMULATED badge and no no-script notice (the pair has the set's scripts); a run
// opened from the grid carries the badge too, with its gold answer and verdict.

const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');

const REPO = path.resolve(__dirname, '../../..');

/** Whether a simulated server answers /v1/models on the port. */
async function answers(port) {
  try {
    const res = await fetch(`http://localhost:${port}/v1/models`);
    return res.ok;
  } catch {
    return false;
  }
}

describe('Evaluate in the demo (demo settings, simulated pair, demo set)', function () {
  this.timeout(300000);
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  let settingsBefore = '{}';
  /** @type {string | undefined} */
  let remoteBefore;
  const ports = { base: 0, small: 0 };

  before(async function () {
    ports.base = await d.freePort();
    ports.small = await d.freePort();
    settingsBefore = fs.readFileSync(/** @type {string} */ (d.env.settingsFile), 'utf8');
    // The demo's settings exactly as scripts/demo.sh writes them (its own writer), at zero latency: the ports in
    // User settings, what Start Servers runs in Remote settings.
    const artifacts = /** @type {string} */ (d.env.artifacts);
    const demoUser = path.join(artifacts, 'demo-settings.json');
    const demoRemote = path.join(artifacts, 'demo-remote-settings.json');
    execFileSync(process.execPath, [path.join(REPO, 'scripts/demo-settings.js'), demoUser, demoRemote], {
      env: {
        ...process.env,
        BASE_PORT: String(ports.base),
        SMALL_PORT: String(ports.small),
        LATENCY: 'zero',
        SIMULATOR: `node "${REPO}/dist/simulated-vllm.js" serve`,
      },
    });
    const user = { ...JSON.parse(settingsBefore), ...JSON.parse(fs.readFileSync(demoUser, 'utf8')) };
    // Settings other UI files leave behind (server URLs) would override the demo's ports: the demo has none of them.
    delete user['specreason.server.baseUrl'];
    delete user['specreason.server.smallUrl'];
    fs.writeFileSync(/** @type {string} */ (d.env.settingsFile), JSON.stringify(user, null, 2));
    const remote = /** @type {string} */ (d.env.remoteSettingsFile);
    remoteBefore = fs.existsSync(remote) ? fs.readFileSync(remote, 'utf8') : undefined;
    fs.mkdirSync(path.dirname(remote), { recursive: true });
    fs.copyFileSync(demoRemote, remote);
    fs.copyFileSync(
      path.join(REPO, 'examples/demo-set.jsonl'),
      path.join(/** @type {string} */ (d.env.workspace), 'demo-set.jsonl'),
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
      await d.runCommand(page, 'SpecReason: Stop Servers').catch(() => undefined);
      for (let i = 0; i < 100 && ((await answers(ports.base)) || (await answers(ports.small))); i++) {
        await new Promise((r) => setTimeout(r, 200));
      }
      await d.clearNotifications(page).catch(() => undefined);
      await d.closeAllEditors(page).catch(() => undefined);
    }
    fs.writeFileSync(/** @type {string} */ (d.env.settingsFile), settingsBefore);
    const remote = /** @type {string} */ (d.env.remoteSettingsFile);
    if (remoteBefore === undefined) {
      fs.rmSync(remote, { force: true });
    } else {
      fs.writeFileSync(remote, remoteBefore);
    }
    if (browser) {
      await browser.close();
    }
  });

  it('Start Servers, Evaluate the demo set at 3, 5, 7, 9 and base-only: accuracy rises with the threshold, SIMULATED', async () => {
    await d.runCommand(page, 'SpecReason: Start Servers');
    for (let i = 0; i < 150 && !((await answers(ports.base)) && (await answers(ports.small))); i++) {
      await page.waitForTimeout(200);
    }
    assert.ok((await answers(ports.base)) && (await answers(ports.small)), 'Start Servers started the simulated pair');

    const row = page.locator(d.SEL.explorerRow, { hasText: 'demo-set.jsonl' }).first();
    await row.waitFor({ timeout: 30000 });
    const before = await d.countWebviews(page);
    await d.explorerMenu(page, 'demo-set.jsonl', 'Evaluate Problem Set…');
    const panel = await d.waitForWebview(page, before, { selector: '#btn-run' });
    await panel.locator('#eval-dataset', { hasText: 'demo-set.jsonl · 12 problems' }).waitFor({ timeout: 30000 });

    await panel.locator('#eval-thresholds').fill('3, 5, 7, 9');
    await panel.locator('#eval-mode-specreason').check();
    await panel.locator('#eval-mode-base').check();
    await panel.locator('#eval-mode-small').uncheck();
    await panel.locator('#eval-repeats').fill('1');
    await panel.locator('#eval-limit').fill('');
    await panel.locator('#eval-concurrency').fill('4');
    assert.equal(
      await panel.locator('#eval-estimate').textContent(),
      '60 runs: 12 problems × 1 repeat × 5 configurations',
    );
    await panel.locator('#btn-run').click();
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 180000 });

    assert.equal(await panel.locator('#sim-badge').isVisible(), true, 'the SIMULATED badge');
    assert.equal(await panel.locator('#sim-notice').isVisible(), false, 'the pair has scripts for the demo set');
    const accuracy = async (config) =>
      Number(
        /([\d.]+)\s*%/.exec(
          (await panel.locator(`#eval-table tr[data-config="${config}"] td[data-col="accuracy"]`).textContent()) ?? '',
        )?.[1],
      );
    const sweep = [];
    for (const t of [3, 5, 7, 9]) {
      sweep.push(await accuracy(`specreason-t${t}-greedy`));
    }
    const base = await accuracy('base');
    console.log(`      demo Evaluate: accuracy t=3,5,7,9 ${sweep.map((a) => `${a}%`).join(', ')}; base-only ${base}%`);
    for (let i = 1; i < sweep.length; i++) {
      assert.ok(sweep[i] >= sweep[i - 1], `accuracy at threshold ${[3, 5, 7, 9][i]} ≥ at ${[3, 5, 7, 9][i - 1]}`);
    }
    assert.ok(sweep[3] > sweep[0], 'threshold 9 is more accurate than threshold 3');
    await d.screenshot(page, 'demo-evaluate.png');

    // A run opened from the grid: the badge, its gold answer and verdict, no no-script notice.
    const mark = panel
      .locator('#eval-grid .grid-row', { hasText: 'd01' })
      .locator('.cell[data-config="specreason-t3-greedy"] button.mark');
    const opened = await d.countWebviews(page);
    await mark.click();
    const reasoning = await d.waitForWebview(page, opened, { selector: '#answer-grade' });
    await reasoning.locator('#answer-grade').waitFor({ state: 'visible', timeout: 30000 });
    assert.equal(await reasoning.locator('#sim-badge').isVisible(), true, 'the run carries the SIMULATED badge');
    assert.equal(await reasoning.locator('#sim-notice').isVisible(), false);
    assert.match((await reasoning.locator('#answer-grade').textContent()) ?? '', /(✓ correct|✗ wrong) · gold answer/);
    assert.match((await reasoning.locator('#answer-grade annotation').textContent()) ?? '', /^50$/);
    await d.screenshot(page, 'demo-evaluate-run.png');
  });
});
