// @ts-check
'use strict';
// Evaluate in the demo, on the demo's own settings (written by scripts/demo-settings.js, as scripts/demo.sh
// writes them; zero latency here): Start Servers runs the simulated pair, the demo set (copied into the workspace
// as demo.sh does) is evaluated at thresholds 3, 5, 7, 9 with base-only, and accuracy rises with the threshold.
// The Evaluate panel carries the SIMULATED badge and no no-script notice (the pair has the set's scripts); a run
// opened from the grid carries the badge too, with its gold answer and verdict.

const assert = require('node:assert/strict');
const d = require('../driver');
const { demoSession, evaluateDemoSet } = require('../demoSession');

describe('Evaluate in the demo (demo settings, simulated pair, demo set)', function () {
  this.timeout(300000);
  const session = demoSession('demo');

  it('Start Servers, Evaluate the demo set at 3, 5, 7, 9 and base-only: accuracy rises with the threshold, SIMULATED', async () => {
    const { page } = session;
    const panel = await evaluateDemoSet(session);

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
    const accuracy = async (/** @type {string} */ config) =>
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
