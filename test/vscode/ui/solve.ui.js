// @ts-check
'use strict';
// End-to-end UI tests: the packaged .vsix in code-server (VS Code 1.100.3) in Chromium, driven like a
// user: open a problem, select it, run commands from the palette, read and use the panel, change
// settings through the Settings UI. The simulated vLLM pair runs in this process on ephemeral ports.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').FrameLocator} FrameLocator */
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').CspWatcher} CspWatcher */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO, baseScript, smallScript } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
const FAST = { prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 0 };
// Base decode 5× slower per token than small (the paper's 32B vs 1.5B), scaled down.
const BASE_LATENCY = { prefillMsPerToken: 0.05, decodeMsPerToken: 50, overlapSlowdown: 0, overheadMs: 2 };
const SMALL_LATENCY = { prefillMsPerToken: 0.01, decodeMsPerToken: 10, overlapSlowdown: 0, overheadMs: 2 };

/** A wall time as the panel shows it ("850 ms", "1.23 s", "12.3 s") → the [low, high] range it was rounded from. */
function shownMs(/** @type {string} */ text) {
  const m = text.trim().match(/^([\d.]+) (ms|s)$/);
  assert.ok(m, `a wall time: ${JSON.stringify(text)}`);
  const decimals = (m[1].split('.')[1] ?? '').length;
  const half = 0.5 * 10 ** -decimals * (m[2] === 's' ? 1000 : 1);
  const value = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  return [value - half, value + half];
}

describe('SpecReason UI in code-server (packaged .vsix)', function () {
  this.timeout(180000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;
  /** @type {CspWatcher} */
  let csp;

  /** Select the problem line in problem.md and run a palette command; returns the new panel's frame. */
  const runOnProblem = (/** @type {string} */ title) => d.runOnLine(page, 'problem.md', PROBLEM_LINE, title);

  const statusIs = (/** @type {FrameLocator} */ frame, /** @type {string | RegExp} */ text, timeout = 60000) =>
    frame.locator('#status', { hasText: text }).first().waitFor({ timeout });

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    ({ browser, page, csp } = await d.openWorkbenchOnPair(pair, { csp: true }));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
    pair.base.setLatency(FAST);
    pair.small.setLatency(FAST);
    pair.base.options.script = baseScript(DEMO_SCENARIO);
    pair.small.options.script = smallScript(DEMO_SCENARIO);
  });

  after(async () => {
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('solves the selected problem: origins, scores, rejected draft, rendered \\boxed{} answer', async () => {
    const started = Date.now();
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await statusIs(panel, /finished/i);
    const roundTrip = Date.now() - started;
    await d.stepsBuilt(panel); // scores, the rejected draft and typeset math are on built steps
    const origins = await panel.locator('.step').evaluateAll((els) => els.map((e) => e.getAttribute('data-origin')));
    assert.deepEqual(origins, ['small', 'small', 'small', 'base-fallback', 'small', 'small', 'small', 'small']);
    const scores = await panel.locator('.step .score').allTextContents();
    assert.equal(scores.length, 8);
    assert.match(scores[3], /2/);
    const rejected = panel.locator('.step[data-origin="base-fallback"] .rejected-draft');
    assert.equal(await rejected.count(), 1);
    assert.match((await rejected.textContent()) ?? '', /The length is therefore \$2w = 12\$ cm|2w = 12/);
    assert.ok((await panel.locator('#answer .katex').count()) > 0, 'the answer is typeset by KaTeX');
    assert.match((await panel.locator('#answer').textContent()) ?? '', /50/);
    assert.ok(await panel.locator('#sim-badge').isVisible(), 'the simulated pair is labelled');
    assert.ok((await panel.locator('.step .step-text .katex').count()) > 0, 'math in steps is typeset');
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-solve.png'));
    console.log(`      UI round trip (palette → finished panel): ${roundTrip} ms`);
    csp.assertNoCspViolations({ webviewOnly: true });
  });

  it('moving the threshold in the panel writes settings.json, and Re-run changes the decisions', async () => {
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await statusIs(panel, /finished/i);
    const threshold = panel.locator('#tuning-threshold');
    await threshold.fill('9');
    await threshold.press('Enter');
    await d.waitForSetting('specreason.threshold', 9);
    await panel.locator('#btn-rerun').click();
    // Until the re-run's snapshot arrives the panel still shows the first run (finished, 8 steps): wait for
    // the rewritten steps rather than for a status the old run also has.
    const rewritten = async () =>
      (await panel.locator('.step').evaluateAll((els) => els.map((e) => e.getAttribute('data-origin'))))
        .map((o, i) => (o === 'base-fallback' ? i : -1))
        .filter((i) => i >= 0);
    await panel.locator('.step[data-origin="base-fallback"]').nth(2).waitFor({ timeout: 60000 });
    await statusIs(panel, /finished/i);
    assert.deepEqual(await rewritten(), [1, 3, 5], 'steps scored 8, 2 and 8 are rewritten at threshold 9');
  });

  it('a setting changed in the Settings UI takes effect on the next solve', async () => {
    // 9 (from the panel test) → 8 in the Settings editor: the drafts scored 8 are kept again.
    await d.openSettingsAndSet(page, 'specreason.threshold', 8, { close: true });
    await d.waitForSetting('specreason.threshold', 8);
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await statusIs(panel, /finished/i);
    const fallbacks = await panel.locator('.step[data-origin="base-fallback"]').count();
    assert.equal(fallbacks, 1, 'threshold 8: only the step scored 2 is rewritten');
    assert.equal(await panel.locator('#tuning-threshold').inputValue(), '8', 'the panel shows the new value');
  });

  it('compare shows both columns and the speedup that the shown wall times imply', async () => {
    // The latencies only make the screenshot realistic: what the machine's load does to the speedup is not
    // tested here (benchmarks measure speed); the panel must show the ratio of the wall times it shows.
    pair.base.setLatency(BASE_LATENCY);
    pair.small.setLatency(SMALL_LATENCY);
    const panel = await runOnProblem('SpecReason: Compare with Base Model');
    await panel.locator('#speedup', { hasText: /\d×/ }).waitFor({ timeout: 90000 });
    assert.equal(await panel.locator('.compare-column').count(), 2);
    assert.ok(await panel.locator('.compare-table').isVisible());
    const speedup = Number(((await panel.locator('#speedup').textContent()) ?? '').match(/([\d.]+)×/)?.[1]);
    const wall = async (/** @type {string} */ mode) =>
      shownMs((await panel.locator(`tr[data-mode="${mode}"] td[data-col="wall"]`).textContent()) ?? '');
    const spec = await wall('specreason');
    const base = await wall('base');
    // The ratio's range given the rounding of the three shown numbers.
    const [lo, hi] = [base[0] / spec[1], base[1] / spec[0]];
    console.log(`      speedup shown ×${speedup}; the shown wall times give ×${lo.toFixed(3)}…×${hi.toFixed(3)}`);
    assert.ok(speedup + 0.005 >= lo && speedup - 0.005 <= hi, `×${speedup} is not base ÷ SpecReason (${lo}…${hi})`);
    for (const mode of ['specreason', 'base']) {
      assert.equal(await panel.locator(`tr[data-mode="${mode}"] td[data-col="stop"]`).textContent(), 'answer reached');
    }
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-compare.png'));
  });

  it('cancel mid-run keeps the partial trace and offers Re-run', async () => {
    // Slow enough (about 3 s a step) that a busy machine's click lands before the run ends.
    pair.small.setLatency({ ...FAST, decodeMsPerToken: 200 });
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await panel.locator('.step').nth(1).waitFor({ timeout: 60000 });
    await panel.locator('#btn-cancel').click();
    await statusIs(panel, /cancelled/i);
    const kept = await panel.locator('.step').count();
    assert.ok(kept >= 2 && kept < 8, `kept ${kept} steps`);
    assert.ok(await panel.locator('#btn-rerun').isEnabled());
    await pair.small.settled();
    assert.equal(pair.small.openRequests().length, 0, 'no request left open on the server');
  });

  it('model output with HTML, script and a KaTeX bomb renders as inert text, with no CSP violation', async () => {
    const hostile = [
      'Consider <img src=x onerror="window.__pwned=1"> and <script>window.__pwned=1</script> carefully.',
      'A bomb: $\\def\\a{\\a\\a}\\a$ and $' +
        '\\frac{1}{'.repeat(300) +
        '1' +
        '}'.repeat(300) +
        '$ and $\\rule{999em}{999em}$.',
      'Answer: $\\boxed{<b>42</b>}$',
    ];
    pair.small.options.script = { step: (i) => hostile[Math.min(i, hostile.length - 1)] };
    pair.base.options.script = { step: () => 'x', score: () => 9 };
    csp.clear();
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await statusIs(panel, /finished/i);
    assert.equal(
      await panel.locator('#steps img, #steps script, #answer img, #answer b').count(),
      0,
      'no element from model text',
    );
    assert.match((await panel.locator('#steps').textContent()) ?? '', /<img src=x onerror=/);
    assert.equal(await panel.locator('body').evaluate(() => window.__pwned), undefined);
    await page.waitForTimeout(500);
    csp.assertNoCspViolations({ webviewOnly: true });
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-hostile.png'));
  });

  it('a stopped server: the panel shows the error inline and Check Servers diagnoses it', async () => {
    await pair.small.stop();
    try {
      const panel = await runOnProblem('SpecReason: Solve Selection');
      const error = panel.locator('#error');
      await error.waitFor({ timeout: 30000 });
      assert.match((await error.textContent()) ?? '', /no server at http:\/\/127\.0\.0\.1:\d+\/v1 — is vLLM running\?/);
      await d.screenshot(page, path.join(d.env.artifacts, 'panel-error.png'));
      await d.runCommand(page, 'SpecReason: Check Servers');
      const toast = page.locator('.notification-toast', { hasText: 'nothing listens on 127.0.0.1' }).first();
      await toast.waitFor({ timeout: 30000 });
      assert.match(
        (await toast.textContent()) ?? '',
        /start vLLM with: vllm serve deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B --port \d+/,
      );
      assert.ok(
        (await toast.locator('a.monaco-button, .monaco-button', { hasText: 'Copy Start Command' }).count()) > 0,
      );
    } finally {
      await pair.small.start();
    }
  });

  it('a server that wants an API key: 401 shown inline; Set API Key (secret storage) fixes it', async () => {
    pair.base.options.apiKey = 'sekrit-key';
    pair.small.options.apiKey = 'sekrit-key';
    try {
      const panel = await runOnProblem('SpecReason: Solve Selection');
      await panel.locator('#error', { hasText: /refused the API key \(HTTP 401\)/ }).waitFor({ timeout: 30000 });
      await d.runCommand(page, 'SpecReason: Set API Key');
      const box = page.locator('.quick-input-widget input.input');
      await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Both servers' }).first().click();
      await box.waitFor({ state: 'visible' });
      assert.equal(await box.getAttribute('type'), 'password', 'the key is typed into a password box');
      await box.fill('sekrit-key');
      await box.press('Enter');
      await page.locator('.notification-toast', { hasText: 'API key saved' }).first().waitFor({ timeout: 15000 });
      await panel.locator('#btn-rerun').click();
      await statusIs(panel, /finished/i);
      assert.equal(await panel.locator('.step').count(), 8);
      assert.ok(!fs.readFileSync(d.env.settingsFile, 'utf8').includes('sekrit-key'), 'the key is not in settings.json');
      await d.runCommand(page, 'SpecReason: Clear API Key');
    } finally {
      pair.base.options.apiKey = undefined;
      pair.small.options.apiKey = undefined;
    }
  });

  it('Show Run History reopens a saved run', async () => {
    await d.runCommand(page, 'View: Close All Editors');
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Show Run History');
    const newest = page.locator('.quick-input-list .monaco-list-row').first();
    await newest.waitFor({ timeout: 15000 });
    assert.match((await newest.textContent()) ?? '', /A rectangle has a perimeter/);
    await page.keyboard.press('Enter');
    const panel = await d.waitForWebview(page, before, { selector: '.step' });
    assert.equal(await panel.locator('.step').count(), 8);
    assert.match((await panel.locator('#answer').textContent()) ?? '', /50/);
  });

  it('panels come back after a window reload (WebviewPanelSerializer)', async () => {
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await statusIs(panel, /finished/i);
    await page.waitForTimeout(2500); // the panel saves its state at most once a second
    // As a user does: the command shuts the workbench down properly (state saved), then reloads.
    const reloaded = page.waitForEvent('load', { timeout: 60000 });
    await d.runCommand(page, 'Developer: Reload Window');
    await reloaded;
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60000 });
    const restored = await d.waitForWebview(page, 0, { selector: '.step', timeout: 60000 });
    assert.equal(await restored.locator('.step').count(), 8, 'the restored panel shows its steps');
    assert.match((await restored.locator('#answer').textContent()) ?? '', /50/);
  });
});
