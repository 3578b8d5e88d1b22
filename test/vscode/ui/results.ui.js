// @ts-check
'use strict';
// Issue 19 in code-server (packaged .vsix): the result stays in view when a run ends (the panel followed the
// stream to the bottom, then shows the answer and numbers, or the comparison card), and an honest speedup
// (Compare again with the 3 runs per mode the panel suggests, after a warm-up request to each server: the
// median with its range). Streaming latencies make the page longer than the panel while it runs.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').FrameLocator} FrameLocator */
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
// Slow enough that the panel streams for a few seconds (it follows the stream), fast enough for a test.
const STREAMING = { prefillMsPerToken: 0, decodeMsPerToken: 6, overlapSlowdown: 0, overheadMs: 2 };

describe('Results in view and an honest speedup', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    pair.base.setLatency(STREAMING);
    pair.small.setLatency(STREAMING);
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
    // A short window: the reasoning is longer than the panel, so following the stream scrolls it.
    await page.setViewportSize({ width: 1200, height: 700 });
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    await browser?.close();
    await pair?.stop();
  });

  /** Select the problem line in problem.md and run a palette command; returns the new panel's frame. */
  const runOnProblem = (/** @type {string} */ title) => d.runOnLine(page, 'problem.md', PROBLEM_LINE, title);

  /** Where an element of the panel is against the panel's own viewport. */
  const placeOf = (/** @type {FrameLocator} */ frame, /** @type {string} */ selector) =>
    frame.locator(selector).evaluate((/** @type {Element} */ e) => {
      const r = e.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, height: window.innerHeight, scrolled: window.scrollY };
    });

  it('a solve that streamed past the bottom ends with its answer and numbers in view', async () => {
    // Slower here: the test watches the panel follow the stream before the run ends.
    pair.base.setLatency({ ...STREAMING, decodeMsPerToken: 25 });
    pair.small.setLatency({ ...STREAMING, decodeMsPerToken: 25 });
    const panel = await runOnProblem('SpecReason: Solve Selection');
    // While it streams, the panel follows it: at some point the answer box is above the viewport.
    let followed = false;
    for (let i = 0; i < 600 && !followed; i++) {
      const place = await placeOf(panel, '#answer');
      followed = place.scrolled > 0 && place.bottom < 0;
      if ((await panel.locator('#status').textContent()) === 'Finished') {
        break;
      }
      await page.waitForTimeout(50);
    }
    assert.ok(followed, 'the panel followed the stream past the answer box');
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 60000 });
    await panel.locator('#answer[data-state="answered"]').waitFor({ timeout: 10000 });
    await page.waitForTimeout(300);
    const answer = await placeOf(panel, '#answer');
    assert.ok(answer.top >= -1 && answer.bottom <= answer.height, `the answer is in view (${JSON.stringify(answer)})`);
    const stats = await placeOf(panel, '.stats');
    assert.ok(stats.top >= -1 && stats.top < stats.height, 'the numbers start in view');
    await d.screenshot(page, path.join(d.env.artifacts, 'results-solve-in-view.png'));
  });

  it('Compare again ×3 (the suggestion): warm-up first, every run in the table, the median with its range, in view', async () => {
    pair.base.setLatency(STREAMING);
    pair.small.setLatency(STREAMING);
    const panel = await runOnProblem('SpecReason: Compare with Base Model');
    await panel.locator('#speedup', { hasText: /×/ }).waitFor({ timeout: 120000 });
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 60000 });
    assert.match((await panel.locator('#speedup-detail').textContent()) ?? '', /one run, a noisy sample: compare 3×/);
    assert.equal(await panel.locator('#compare-rounds').inputValue(), '3');
    const warmUps = () =>
      [...pair.base.log, ...pair.small.log].filter((e) => e.kind === 'full' && e.body?.max_tokens === 1).length;
    const before = warmUps();
    assert.equal(before, 2, 'Compare warmed each server once before timing');

    await panel.locator('#btn-compare-again').click();
    await panel
      .locator('.compare-table tr[data-round="3"][data-mode="base"] td[data-col="stop"]', {
        hasText: 'answer reached',
      })
      .waitFor({ timeout: 180000 });
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 60000 });
    assert.equal(warmUps(), before + 2, 'and again before the three rounds');
    assert.equal(await panel.locator('.compare-table tbody tr').count(), 6);
    assert.equal(await panel.locator('.compare-column').count(), 2);
    const detail = await panel.locator('#speedup-detail').textContent();
    assert.match(detail ?? '', /^median of 3 runs, range [\d.]+–[\d.]+×/);
    assert.match(
      (await panel.locator('#speedup').textContent()) ?? '',
      /^([\d.]+× (faster|— slower)|tie \([\d.]+×\))$/,
    );
    for (const value of await panel.locator('#wall-chart .wall-value').allTextContents()) {
      assert.match(value, /^[\d.]+ m?s \([\d.]+ m?s–[\d.]+ m?s\)$/, 'each mode: median (range)');
    }
    await page.waitForTimeout(300);
    const card = await placeOf(panel, '#compare-card');
    assert.ok(card.top >= -1 && card.top < card.height, `the comparison card is in view (${JSON.stringify(card)})`);
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-compare-rounds.png'));
  });
});
