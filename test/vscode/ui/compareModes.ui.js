// @ts-check
'use strict';
// Issue 21 in code-server (packaged .vsix): Compare takes any two or more modes. SpecReason: Compare Modes… on the
// demo problem, first-token ticked beside the pre-ticked SpecReason and base-only: three runs against the demo
// pair, each finished with its own column, row, bar, answer and speedup against base-only; the first-token run
// really routed by entropy (its steps carry first-token decisions, no judge call).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
const { startSimPair, DEMO_SCENARIO, DEMO_LATENCY, latencyProfile } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

describe('Compare Modes…: specreason, first-token and base side by side', function () {
  this.timeout(240000);
  /** @type {Awaited<ReturnType<typeof startSimPair>>} */
  let pair;
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;

  before(async function () {
    // The demo's latency: the three runs stream as in the demo (nothing here depends on their speed).
    pair = await startSimPair(DEMO_SCENARIO, { latency: latencyProfile(DEMO_LATENCY) });
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    await browser?.close();
    await pair?.stop();
  });

  it('picks the modes, runs the three, and shows each one’s result', async () => {
    await d.closeAllEditors(page);
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Compare Modes…');
    /** @param {string} mode */
    const row = (mode) =>
      page
        .locator(d.SEL.quickRow)
        .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${mode}\\s*$`) }) })
        .first();
    await row('first-token').waitFor({ timeout: 30000 });
    // SpecReason and base-only come ticked (the setting is empty); tick first-token, then accept.
    const ticked = async (/** @type {string} */ mode) =>
      (await row(mode).getAttribute('aria-checked')) === 'true' ||
      (await row(mode)
        .locator('input[type="checkbox"]')
        .isChecked()
        .catch(() => false));
    assert.equal(await ticked('specreason'), true, 'specreason ticked');
    assert.equal(await ticked('base'), true, 'base ticked');
    assert.equal(await ticked('first-token'), false);
    await page.mouse.move(0, 0);
    await row('first-token').click();
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('.quick-input-list .monaco-list-row')].some(
          (r) => /first-token/.test(r.textContent ?? '') && r.getAttribute('aria-checked') === 'true',
        ),
      undefined,
      { timeout: 10000 },
    );
    await page.locator(d.SEL.quickInput).press('Enter');

    const panel = await d.waitForWebview(page, before, { selector: '#app' });
    await panel.locator('.compare-column').nth(2).waitFor({ timeout: 60000 });
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 120000 });

    assert.deepEqual(await panel.locator('.compare-column .column-head h2').allTextContents(), [
      'SpecReason',
      'first-token',
      'Base only',
    ]);
    const rows = panel.locator('.compare-table tbody tr');
    assert.equal(await rows.count(), 3);
    for (const key of ['specreason', 'first-token', 'base']) {
      const tr = panel.locator(`.compare-table tr[data-key="${key}"]`);
      assert.equal(await tr.locator('[data-col="stop"]').textContent(), 'answer reached', `${key} finished`);
      assert.match((await tr.locator('[data-col="wall"]').textContent()) ?? '', /^[\d.]+ m?s$/);
      assert.notEqual(await tr.locator('[data-col="answer"]').textContent(), '—', `${key} has an answer`);
      const bar = panel.locator(`#wall-chart .wall-row[data-key="${key}"]`);
      assert.equal(await bar.getAttribute('data-status'), 'finished');
      assert.ok(Number(await bar.locator('.wall-bar').getAttribute('width')) > 0, `${key} has a bar`);
    }
    // Each policy its own speedup against base-only; base-only is the reference.
    assert.equal(await panel.locator('#wall-chart').getAttribute('data-speedups'), 'true');
    const speedups = await panel.locator('#wall-chart .wall-speedup').allTextContents();
    assert.equal(speedups.length, 3);
    for (const s of speedups.slice(0, 2)) {
      assert.match(s, /^([\d.]+× (faster|— slower)|tie \([\d.]+×\))$/);
    }
    assert.equal(speedups[2], 'reference');
    // first-token routed by the small model's first token: no judge call, its decisions on the steps.
    assert.equal(
      await panel.locator('.compare-table tr[data-key="first-token"] [data-col="judge"]').textContent(),
      '0',
    );
    assert.notEqual(
      await panel.locator('.compare-table tr[data-key="specreason"] [data-col="judge"]').textContent(),
      '0',
      'SpecReason judged its drafts',
    );
    const column = panel.locator('.compare-column[data-key="first-token"]');
    await column.locator('.decision-badge').first().waitFor({ timeout: 10000 });
    assert.match((await column.locator('.decision-badge').first().textContent()) ?? '', /first-token/);
    const firstTokenRequests = pair.small.log.filter(
      (/** @type {{ body?: { max_tokens?: number, logprobs?: unknown, top_logprobs?: unknown } }} */ e) =>
        e.body?.max_tokens === 1 && (e.body.logprobs !== undefined || e.body.top_logprobs !== undefined),
    );
    assert.ok(firstTokenRequests.length > 0, 'the small server was asked for first tokens');

    await panel.locator('#compare-card').scrollIntoViewIfNeeded();
    const file = path.join(/** @type {string} */ (d.env.artifacts), 'panel-compare-modes.png');
    await d.screenshot(page, file);
    if (process.env.UPDATE_SCREENSHOTS) {
      fs.copyFileSync(file, path.join(__dirname, '../../../docs/screenshots/panel-compare-modes.png'));
    }
  });
});
