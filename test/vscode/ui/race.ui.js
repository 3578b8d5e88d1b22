// @ts-check
'use strict';
// Fresh panels opened while a run streams: the webview loads mid-run, asks for the state ("ready") while
// the host still holds a batch of events, and must end up with every step exactly once, in order.
// Many short steps make a step end inside almost every 40 ms batch, so a replayed batch would show.

const assert = require('node:assert/strict');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
// Long enough that a panel still loads mid-run on a busy 2-core machine (where opening the webview can take
// several seconds): the test's precondition, not a speed assertion.
const STEPS = 150;
/** Distinct texts (two equal steps in a row would end the run); the last one carries the answer. */
const stepText = (/** @type {number} */ i) =>
  i >= STEPS - 1
    ? `So the answer is $\\boxed{${STEPS}}$.`
    : `Step ${i + 1}: add one, giving $${i + 1} + 1 = ${i + 2}$.`;
// ~10 tokens a step at 8 ms each: a step every ~100 ms, so a step ends in about every other 40 ms batch;
// a run of ~15 s; the panel loads in ~1 s when idle, a few seconds under load.
const SMALL_LATENCY = { prefillMsPerToken: 0, decodeMsPerToken: 8, overlapSlowdown: 0, overheadMs: 2 };
const BASE_LATENCY = { prefillMsPerToken: 0, decodeMsPerToken: 8, overlapSlowdown: 0, overheadMs: 2 };
const PANELS = 5;

describe('Fresh panels opened mid-run (snapshot and queued events)', function () {
  this.timeout(300000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO, {
      latency: { base: BASE_LATENCY, small: SMALL_LATENCY },
      small: { script: { step: (i) => stepText(i) } },
      base: { script: { step: (i) => stepText(i), score: () => 9 } },
    });
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
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

  it(`${PANELS} fresh panels, each loading while its run streams, show every step once and in order`, async () => {
    const seen = [];
    for (let attempt = 0; attempt < PANELS; attempt++) {
      await d.closeAllEditors(page);
      await d.selectLine(page, 'problem.md', PROBLEM_LINE);
      const before = await d.countWebviews(page);
      const logStart = pair.small.log.length;
      await d.runCommand(page, 'SpecReason: Solve Selection');
      const panel = await d.waitForWebview(page, before, { selector: '#app' });
      // The webview loaded before the run ended: that is what this test is about.
      const stepsAtLoad = await panel.locator('.step').count();
      await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 90000 });
      const ids = await panel.locator('.step').evaluateAll((els) => els.map((e) => Number(e.dataset.stepId)));
      const bars = await panel.locator('#timeline .bar').count();
      const drafts = pair.small.log.slice(logStart).filter((e) => e.kind === 'step').length;
      seen.push({ stepsAtLoad, steps: ids.length });
      assert.ok(stepsAtLoad < STEPS, `panel ${attempt + 1} loaded after its run ended (${stepsAtLoad} steps shown)`);
      assert.deepEqual(
        ids,
        Array.from({ length: STEPS }, (_, i) => i),
        `panel ${attempt + 1}: every step once, in order`,
      );
      assert.equal(bars, STEPS, `panel ${attempt + 1}: one step-time bar per step`);
      assert.ok(drafts >= STEPS, `the small server drafted every step (${drafts})`);
      if (attempt === 0) {
        await d.screenshot(page, path.join(d.env.artifacts, 'panel-race.png'));
      }
    }
    console.log(`      steps shown when each panel loaded: ${seen.map((s) => s.stepsAtLoad).join(', ')}`);
  });
});
