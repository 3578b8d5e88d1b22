'use strict';
// The panel's state as a user finds it later: the status bar after servers come back, Check Servers'
// full report, the run history's entries, and a panel restored by a window reload that can still be
// exported and copied. The simulated vLLM pair runs in this process.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

describe('Panel state: health, server report, history, restored panels', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  async function solve() {
    await d.closeAllEditors(page);
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '#app' });
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    return panel;
  }

  const statusItem = () => page.locator('.statusbar-item', { hasText: /SpecReason: threshold \d/ }).first();

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    ({ browser, page } = await d.openWorkbenchOnPair(pair, { clipboard: true }));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('Check Servers names both servers when both are down, with the full report as a document; health recovers after a run', async () => {
    await pair.stop();
    try {
      await d.runCommand(page, 'SpecReason: Check Servers');
      const toast = page.locator('.notification-toast', { hasText: 'both servers are down' }).first();
      await toast.waitFor({ timeout: 30000 });
      const text = (await toast.textContent()) ?? '';
      assert.match(text, /base: nothing listens on 127\.0\.0\.1:\d+/);
      assert.match(text, /small: nothing listens on 127\.0\.0\.1:\d+/);
      await statusItem().locator('.codicon-error').waitFor({ timeout: 15000 });
      const before = await d.countWebviews(page);
      await toast.locator('.monaco-button', { hasText: 'Show Report' }).first().click();
      // The report opens rendered (a Markdown preview, a webview of its own).
      const preview = await d.waitForWebview(page, before, { selector: 'h1' });
      await preview.locator('h2', { hasText: 'Small model server — NOT RIGHT' }).first().waitFor();
      const report = ((await preview.locator('body').textContent()) ?? '').replace(/\u00a0/g, ' ');
      assert.match(report, /Base model server — NOT RIGHT/);
      assert.match(report, /Start command: vllm serve Qwen\/QwQ-32B --port \d+/);
      assert.match(report, /Start command: vllm serve deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B --port \d+/);
      await d.screenshot(page, path.join(d.env.artifacts, 'server-report.png'));
    } finally {
      await pair.base.start();
      await pair.small.start();
    }
    // The servers are back: a successful run rechecks them, and the status item says so.
    await solve();
    await statusItem().locator('.codicon-pass-filled').waitFor({ timeout: 30000 });
  });

  it('history entries say SIMULATED, mode, threshold, acceptance and answer; a reopened run shows its settings', async () => {
    await d.runCommand(page, 'View: Close All Editors');
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Show Run History');
    const rows = page.locator(d.SEL.quickRow);
    await rows.first().waitFor({ timeout: 15000 });
    const newest = (await rows.first().textContent()) ?? '';
    assert.match(newest, /A rectangle has a perimeter/);
    assert.match(newest, /SpecReason · τ 7 greedy · acceptance 88% · answer 50/);
    assert.match(newest, /SIMULATED model pair/);
    await page.keyboard.press('Enter');
    const panel = await d.waitForWebview(page, before, { selector: '.step' });
    assert.ok(await panel.locator('#sim-badge').isVisible(), 'the reopened run is labelled SIMULATED');
    assert.match(
      (await panel.locator('#run-settings').textContent()) ?? '',
      /This run: threshold 7 \(greedy\) · budget [\d,]+ tokens · base Qwen\/QwQ-32B/,
    );
  });

  it('an entry whose file is gone is removed from the history', async () => {
    await solve(); // at least two entries
    await d.runCommand(page, 'View: Close All Editors');
    const storage = path.join(d.env.runDir, 'ud', 'User', 'globalStorage', 'specreason.specreason', 'runs');
    const files = fs.readdirSync(storage).filter((f) => f.endsWith('.json'));
    assert.ok(files.length >= 2, `saved runs: ${files.length}`);
    const count = async () => {
      await d.runCommand(page, 'SpecReason: Show Run History');
      await page.locator(d.SEL.quickRow).first().waitFor({ timeout: 15000 });
      const n = await page.locator(d.SEL.quickRow).count();
      await page.keyboard.press('Escape');
      return n;
    };
    const listed = await count();
    // The newest file is the run just solved, surely listed (other suites may leave files of their own).
    const newest = files
      .map((f) => ({ f, t: fs.statSync(path.join(storage, f)).mtimeMs }))
      .sort((a, b) => b.t - a.t)[0].f;
    fs.rmSync(path.join(storage, newest));
    assert.equal(await count(), listed - 1, 'the entry without a file is no longer listed');
  });

  it('a panel restored by a window reload still exports JSON and copies Markdown', async () => {
    const panel = await solve();
    assert.ok(await panel.locator('#sim-badge').isVisible());
    await page.waitForTimeout(2500); // the panel saves its state at most once a second
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await d.runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    const restored = await d.waitForWebview(page, 0, { selector: '.step', timeout: 60000 });
    assert.equal(await restored.locator('.step').count(), 8);

    await page.evaluate(() => navigator.clipboard.writeText('(nothing yet)'));
    await restored.locator('#btn-copy-md').click();
    await page
      .locator('.notification-toast', { hasText: 'run copied as Markdown' })
      .first()
      .waitFor({ timeout: 15000 });
    const md = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(md, /SIMULATED model pair/);
    assert.match(md, /- Models: base `Qwen\/QwQ-32B`, small `deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B`/);
    assert.match(md, /### Step 1 — small · accepted \(score 9\)\n\n\[simulated small model\] Let the width/);
    assert.match(md, /### Step 4 — base · after rejection \(score 2\)/);

    const exported = () => fs.readdirSync(d.env.workspace).filter((f) => /^specreason-.*\.json$/.test(f));
    const before = new Set(exported());
    await restored.locator('#btn-export-json').click();
    const box = page.locator(d.SEL.quickInput);
    await box.waitFor({ state: 'visible', timeout: 15000 });
    // VS Code's own save dialog (a path box in the web workbench): save under a name of our choosing.
    await page.waitForTimeout(500);
    await box.fill(path.join(d.env.workspace, 'specreason-restored-export.json'));
    await box.press('Enter');
    await page.locator('.notification-toast', { hasText: 'exported to' }).first().waitFor({ timeout: 15000 });
    const added = exported().filter((f) => !before.has(f));
    assert.equal(added.length, 1, 'one file exported');
    const record = JSON.parse(fs.readFileSync(path.join(d.env.workspace, added[0]), 'utf8'));
    assert.equal(record.steps.length, 8, 'the exported record is the run the panel shows');
  });
});
