// @ts-check
'use strict';
// Step policies in the Evaluate panel, in the real VS Code: on the demo's own settings (scripts/demo-settings.js,
// zero latency), Start Servers runs the simulated pair; the demo set is evaluated with SpecReason, first-token
// (its entropy threshold swept), self-check, lookahead (k = 3: one prompt-list score request per window) and
// base-only. The form offers the policies and their sweeps; the
// table, the accuracy × latency chart (Pareto front included) and the grid show each policy's configurations,
// labelled as such, with their costs.

const assert = require('node:assert/strict');
const d = require('../driver');
const { demoSession, evaluateDemoSet } = require('../demoSession');

describe('Evaluate step policies (demo settings, simulated pair, demo set)', function () {
  this.timeout(300000);
  const session = demoSession('policies-demo');

  it('the form offers the policies and their sweeps; table, chart and grid show each policy with its costs', async () => {
    const { page } = session;
    const panel = await evaluateDemoSet(session);

    for (const mode of ['specreason', 'first-token', 'self-check', 'lookahead', 'base']) {
      await panel.locator(`#eval-mode-${mode}`).check();
    }
    for (const mode of ['small', 'multi-draft', 'adaptive-threshold']) {
      await panel.locator(`#eval-mode-${mode}`).uncheck();
    }
    await panel.locator('#eval-thresholds').fill('7');
    await panel.locator('#eval-sweep-entropyThresholds').fill('0.5, 1.5');
    await panel.locator('#eval-sweep-selfCheckThresholds').fill('8');
    await panel.locator('#eval-sweep-lookaheadSteps').fill('3');
    await panel.locator('#eval-repeats').fill('1');
    await panel.locator('#eval-limit').fill('4');
    await panel.locator('#eval-concurrency').fill('2');
    // SpecReason t=7, first-token ×2, self-check self≥8, lookahead k=3, base only.
    assert.equal(
      await panel.locator('#eval-estimate').textContent(),
      '24 runs: 4 problems × 1 repeat × 6 configurations',
    );
    // A sweep value out of its range is refused inline, as the settings are.
    await panel.locator('#eval-sweep-entropyThresholds').fill('0.5, 7');
    await panel.locator('#eval-form-message', { hasText: 'first-token: 7 is not a number from 0 to 3' }).waitFor();
    assert.equal(await panel.locator('#btn-run').isDisabled(), true);
    await panel.locator('#eval-sweep-entropyThresholds').fill('0.5, 1.5');
    await panel.locator('#btn-run').click();
    await panel.locator('#status', { hasText: 'Finished' }).waitFor({ timeout: 180000 });

    const configs = [
      'specreason-t7-greedy',
      'first-token-h0.5',
      'first-token-h1.5',
      'self-check-s8-t7-greedy',
      'lookahead-k3-t7-greedy',
      'base',
    ];
    for (const config of configs) {
      const tr = panel.locator(`#eval-table tr[data-config="${config}"]`);
      await tr.waitFor();
      assert.match((await tr.locator('td[data-col="runs"]').textContent()) ?? '', /\/ 4/, `${config}: 4 runs`);
      // Each configuration is a point of the chart.
      await panel.locator(`#eval-chart g[data-config="${config}"]`).waitFor({ state: 'attached' });
    }
    const label = (/** @type {string} */ config) =>
      panel.locator(`#eval-table tr[data-config="${config}"] th[data-col="configuration"]`);
    assert.equal(await label('first-token-h0.5').textContent(), 'first-token H≥0.5');
    assert.equal(await label('self-check-s8-t7-greedy').textContent(), 'self-check self≥8 t=7');
    assert.equal(await label('lookahead-k3-t7-greedy').textContent(), 'lookahead k=3 t=7');
    // Policies are marked on the chart as such, with their labels.
    assert.equal(
      await panel.locator('#eval-chart g[data-config="first-token-h1.5"]').getAttribute('data-policy'),
      'first-token',
    );
    assert.equal(
      await panel.locator('#eval-chart g[data-config="first-token-h1.5"] .point-label').textContent(),
      'first-token H≥1.5',
    );
    assert.equal(await panel.locator('#eval-chart g[data-config="first-token-h1.5"] polygon.point').count(), 1);
    // The Pareto front is drawn over every configuration, policies included.
    assert.ok((await panel.locator('#eval-chart g.on-front').count()) >= 1, 'a Pareto front');
    // Costs per policy: first-token asks no judge, self-check does; both have a critical path and its lower bound.
    const cell = (/** @type {string} */ config, /** @type {string} */ col) =>
      panel.locator(`#eval-table tr[data-config="${config}"] td[data-col="${col}"]`).textContent();
    assert.match((await cell('first-token-h0.5', 'judgeCalls')) ?? '', /^0\.0 \(/);
    assert.match((await cell('self-check-s8-t7-greedy', 'judgeCalls')) ?? '', /^[1-9][\d.]* \(/);
    assert.match((await cell('first-token-h0.5', 'criticalPath')) ?? '', /^[\d.]+ m?s \/ [\d.]+ m?s$/);
    // lookahead scores its windows with the base model's judge: judge calls, and a critical path with its bound.
    assert.match((await cell('lookahead-k3-t7-greedy', 'judgeCalls')) ?? '', /^[1-9][\d.]* \(/);
    assert.match((await cell('lookahead-k3-t7-greedy', 'criticalPath')) ?? '', /^[\d.]+ m?s \/ [\d.]+ m?s$/);
    await panel.locator('#eval-chart g[data-config="lookahead-k3-t7-greedy"]').waitFor({ state: 'attached' });
    // "Use this threshold" is SpecReason's own: a policy's row has none.
    assert.equal(await panel.locator('#eval-table tr[data-config="first-token-h0.5"] .use-threshold').count(), 0);
    assert.equal(await panel.locator('#eval-table tr[data-config="specreason-t7-greedy"] .use-threshold').count(), 1);
    // The grid has a column per configuration; a first-token run opens with its decisions shown per step.
    await panel.locator('#eval-grid [role="columnheader"][data-config="first-token-h0.5"]').waitFor();
    await d.screenshot(page, 'evaluate-policies.png');
    const mark = panel
      .locator('#eval-grid .grid-row', { hasText: 'd01' })
      .locator('.cell[data-config="first-token-h0.5"] button.mark');
    const opened = await d.countWebviews(page);
    await mark.click();
    const reasoning = await d.waitForWebview(page, opened, { selector: '.step' });
    await reasoning.locator('.step .decision-badge').first().waitFor({ timeout: 30000 });
    assert.match((await reasoning.locator('.step .decision-badge').first().textContent()) ?? '', /^first-token · /);
    assert.match((await reasoning.locator('#run-settings').textContent()) ?? '', /policy first-token/);
    await d.screenshot(page, 'evaluate-policies-run.png');
  });
});
