// @ts-check
// Browser tests of the Evaluate panel (media/gen/eval.js) in headless Chromium, outside VS Code.
// test/webview/harness.html?bundle=eval stands in for the host's HTML (same CSP); the tests drive the panel
// with the host's messages and read what it posts back. Needs a built bundle: `node esbuild.js`.
// Run: node_modules/.bin/mocha --no-config --timeout 120000 test/webview/evalPanel.webview.test.js

/** @typedef {import('../../src/shared/protocol').EvalConfigurationRow} EvalConfigurationRow */
/** @typedef {import('../../src/shared/protocol').EvalRunRow} EvalRunRow */
/** @typedef {import('playwright-core').Page} Page */
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, ARTIFACTS, usePanelHarness } = require('./support');

const {
  EVAL_PROTOCOL_VERSION,
  HOSTILE_ID,
  HOSTILE_ANSWER,
  DEMO_IDS,
  configurations,
  makeRuns,
  summarise,
  form,
  panelState,
} = require('./evalFixtures');

describe('Evaluate panel (webview, Chromium)', function () {
  const { openPanel } = usePanelHarness({
    bundle: 'eval',
    ready: 'eval/ready',
    viewport: { width: 1100, height: 1000 },
  });

  /** @param {Page} page @param {import('../../src/shared/protocol').ToEvalWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page */
  const nextFrame = (page) =>
    page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  /** @param {Page} page @param {string} [type] */
  const posted = (page, type) =>
    page.evaluate((t) => window.__posted.filter((/** @type {{ type: string }} */ m) => !t || m.type === t), type);
  /** @param {Page} page @param {string} selector */
  const texts = (page, selector) => page.$$eval(selector, (nodes) => nodes.map((n) => (n.textContent ?? '').trim()));
  /** @param {Page} page @param {string} name */
  async function shot(page, name) {
    const viewport = page.viewportSize() ?? { width: 1100, height: 1000 };
    const height = await page.evaluate(() => document.documentElement.scrollHeight);
    await page.setViewportSize({ width: viewport.width, height: Math.min(Math.max(height, viewport.height), 3000) });
    await nextFrame(page);
    const file = path.join(ARTIFACTS, `eval-${name}.png`);
    await page.screenshot({ path: file });
    await page.setViewportSize(viewport);
    return file;
  }

  /** A finished sweep: 4 thresholds, base-only and small-only over the demo ids. */
  function finishedSweep(ids = DEMO_IDS, repeats = 2) {
    const configs = configurations([3, 5, 7, 9]);
    const runs = makeRuns(configs, ids, repeats);
    return panelState({
      form: form({ modes: ['specreason', 'base', 'small'], thresholds: [3, 5, 7, 9], repeats }),
      status: 'finished',
      outDir: '/ws/.specreason/evals/2026-11-29T23-00-00',
      progress: { done: runs.length, total: runs.length, failed: 0, resumed: 0, startedAt: Date.now() - 60_000 },
      configurations: summarise(configs, runs),
      runs,
    });
  }

  it('announces itself once with its protocol version', async function () {
    const page = await openPanel();
    assert.deepEqual(await posted(page), [{ type: 'eval/ready', protocolVersion: EVAL_PROTOCOL_VERSION }]);
    assert.equal(await page.textContent('#status'), 'Waiting for the extension…');
  });

  it('the SIMULATED badge, and the no-script notice when the simulated pair lacks scripts for the set', async function () {
    const page = await openPanel();
    await send(page, { type: 'eval/snapshot', state: panelState({ simulated: true, simulatedWithoutScript: 0 }) });
    await page.waitForSelector('#sim-badge', { state: 'visible' });
    assert.equal(await page.isVisible('#sim-notice'), false, 'every problem scripted: no notice');
    await send(page, { type: 'eval/snapshot', state: panelState({ simulated: true, simulatedWithoutScript: 3 }) });
    await page.waitForSelector('#sim-notice', { state: 'visible' });
    assert.match(
      (await page.textContent('#sim-notice')) ?? '',
      /no script for 3 of these problems: .*sample problem's steps/,
    );
    await send(page, { type: 'eval/snapshot', state: panelState({ simulated: true, simulatedWithoutScript: 12 }) });
    await page.waitForFunction(() =>
      /no script for these problems/.test(document.querySelector('#sim-notice')?.textContent ?? ''),
    );
  });

  it('form: estimates the runs, sweeps 3,5,7,9, validates as the settings do and posts eval/start', async function () {
    const page = await openPanel();
    await send(page, { type: 'eval/snapshot', state: panelState() });
    await nextFrame(page);
    assert.equal(await page.textContent('#eval-estimate'), '24 runs: 12 problems × 1 repeat × 2 configurations');
    assert.equal(await page.isChecked('#eval-mode-specreason'), true);
    assert.equal(await page.isChecked('#eval-mode-small'), false);

    await page.click('#eval-sweep');
    await page.check('#eval-mode-small');
    await page.fill('#eval-repeats', '2');
    assert.equal(await page.inputValue('#eval-thresholds'), '3, 5, 7, 9');
    assert.equal(await page.textContent('#eval-estimate'), '144 runs: 12 problems × 2 repeats × 6 configurations');
    await page.fill('#eval-limit', '5');
    assert.equal(await page.getAttribute('#eval-estimate', 'data-runs'), '60');

    // Out of range exactly as specreason.threshold is; not a number; not whole.
    await page.fill('#eval-thresholds', '3, 12');
    await page.fill('#eval-repeats', '0');
    const messages = await texts(page, '#eval-form-message li');
    assert.ok(
      messages.some((/** @type {string} */ m) => /Threshold must be between 0 and 9 \(got 12\)/.test(m)),
      messages.join(' | '),
    );
    assert.ok(messages.includes('Repeats must be between 1 and 1000'), messages.join(' | '));
    assert.equal(await page.getAttribute('#eval-thresholds', 'aria-invalid'), 'true');
    assert.equal(await page.isDisabled('#btn-run'), true);
    await page.fill('#eval-thresholds', '3, x');
    assert.ok((await texts(page, '#eval-form-message li')).includes('Thresholds: "x" is not a number'));
    await page.fill('#eval-sample', '4');

    await page.fill('#eval-thresholds', '5,9');
    await page.fill('#eval-repeats', '2');
    await page.fill('#eval-seed', '42');
    await page.fill('#eval-ids', 'demo-01, demo-02 demo-03,demo-04,demo-05');
    await page.selectOption('#eval-choice-order', 'reference');
    await page.fill('#eval-out-dir', '/tmp/out');
    assert.equal(await page.isVisible('#eval-form-message'), false);
    assert.equal(await page.textContent('#eval-estimate'), '32 runs: 4 problems × 2 repeats × 4 configurations');
    await page.click('#btn-run');
    const [start] = await posted(page, 'eval/start');
    assert.deepEqual(start.form, {
      modes: ['specreason', 'base', 'small'],
      thresholds: [5, 9],
      scoreMethods: ['greedy'],
      repeats: 2,
      concurrency: 1,
      choiceOrder: 'reference',
      outDir: '/tmp/out',
      ids: ['demo-01', 'demo-02', 'demo-03', 'demo-04', 'demo-05'],
      limit: 5,
      sample: 4,
      seed: 42,
    });

    // The host answers a folder pick; the form takes it.
    await page.click('#eval-pick-folder');
    assert.equal((await posted(page, 'eval/pickFolder')).length, 1);
    await send(page, { type: 'eval/folderPicked', outDir: '/picked/folder' });
    await nextFrame(page);
    assert.equal(await page.inputValue('#eval-out-dir'), '/picked/folder');
  });

  it('table, chart and grid: numbers, Pareto front, sorting, apply a threshold, open a run', async function () {
    const page = await openPanel();
    const state = finishedSweep();
    await send(page, { type: 'eval/snapshot', state });
    // Every configuration of the sweep has finished runs, so every number of its row is there.
    const rows = /** @type {Array<Required<EvalConfigurationRow>>} */ (state.configurations);
    await nextFrame(page);

    // Table: one row per configuration, in mode/threshold order.
    assert.deepEqual(await texts(page, '#eval-table tbody th .config-name'), [
      'SpecReason t=3 greedy',
      'SpecReason t=5 greedy',
      'SpecReason t=7 greedy',
      'SpecReason t=9 greedy',
      'Base only',
      'Small only',
    ]);
    const base = /** @type {Required<EvalConfigurationRow>} */ (rows.find((c) => c.mode === 'base'));
    const baseCells = await texts(page, '#eval-table tr[data-config="base"] td');
    assert.equal(baseCells[0], `${base.correct} / ${base.runs}`);
    assert.match(baseCells[1], /^\d+\.\d% \[\d+–\d+\]$/);
    assert.equal(baseCells[8], '1.00×');
    assert.equal(baseCells[9], '±0.0 pp');
    const t3 = rows[0];
    const t3Cells = await texts(page, '#eval-table tr[data-config="specreason-t3-greedy"] td');
    assert.equal(t3Cells[8], `${t3.speedupVsBase.toFixed(2)}×`);
    assert.equal(t3Cells[7], `${(t3.acceptanceRate * 100).toFixed(1)}%`);

    // Sorting by accuracy: descending first, then ascending; aria-sort follows.
    await page.click('#eval-table th[data-col="accuracy"] button');
    const byAccuracy = [...rows].sort((a, b) => b.accuracy - a.accuracy);
    assert.deepEqual(
      await page.$$eval('#eval-table tbody tr', (rows) => rows.map((r) => r.dataset.config)),
      byAccuracy.map((c) => (c.mode === 'specreason' ? `specreason-t${c.threshold}-greedy` : c.mode)),
    );
    assert.equal(await page.getAttribute('#eval-table th[data-col="accuracy"]', 'aria-sort'), 'descending');
    await page.click('#eval-table th[data-col="accuracy"] button');
    assert.equal(await page.getAttribute('#eval-table th[data-col="accuracy"]', 'aria-sort'), 'ascending');
    const worst = [...rows].sort((a, b) => a.accuracy - b.accuracy)[0];
    assert.equal(
      await page.$eval('#eval-table tbody tr', (r) => r.dataset.config),
      worst.mode === 'specreason' ? `specreason-t${worst.threshold}-greedy` : worst.mode,
    );

    // Use this threshold: the current one (7) is marked; another posts with the chosen target.
    assert.equal(
      await page.textContent('#eval-table tr[data-config="specreason-t7-greedy"] .use-threshold'),
      'Current threshold',
    );
    await page.selectOption('#eval-threshold-target', 'workspace');
    await page.click('#eval-table tr[data-config="specreason-t9-greedy"] .use-threshold');
    assert.deepEqual(await posted(page, 'eval/useThreshold'), [
      { type: 'eval/useThreshold', threshold: 9, target: 'workspace' },
    ]);
    await send(page, { type: 'eval/thresholdDidChange', threshold: 9, target: 'workspace' });
    await nextFrame(page);
    assert.equal(
      await page.textContent('#eval-table tr[data-config="specreason-t9-greedy"] .use-threshold'),
      'Current threshold',
    );

    // Chart: a point per configuration, shapes by mode, labels, the front from the shared rule.
    assert.equal(await page.$$eval('#eval-chart g.config', (n) => n.length), 6);
    assert.equal(await page.$$eval('#eval-chart g.config[data-mode="base"] rect.point', (n) => n.length), 1);
    assert.equal(await page.$$eval('#eval-chart g.config[data-mode="small"] polygon.point', (n) => n.length), 1);
    assert.equal(await page.$$eval('#eval-chart g.config[data-mode="specreason"] circle.point', (n) => n.length), 4);
    assert.deepEqual(await texts(page, '#eval-chart .point-label'), [
      't=3',
      't=5',
      't=7',
      't=9',
      'base only',
      'small only',
    ]);
    const front = [...rows]
      .sort((a, b) => a.meanWallMs - b.meanWallMs || b.accuracy - a.accuracy)
      .reduce(
        (acc, c) => (acc.length === 0 || c.accuracy > acc[acc.length - 1].accuracy ? [...acc, c] : acc),
        /** @type {typeof rows} */ ([]),
      );
    const onFront = await page.$$eval('#eval-chart g.config.on-front', (n) => n.map((g) => g.dataset.config));
    assert.deepEqual(
      onFront.sort(),
      front.map((c) => (c.mode === 'specreason' ? `specreason-t${c.threshold}-greedy` : c.mode)).sort(),
    );
    if (front.length > 1) {
      const points = (await page.getAttribute('#eval-chart polyline.pareto', 'points')) ?? '';
      assert.equal(points.split(' ').length, front.length);
    }
    // Theme colours reach the SVG (computed through the CSS classes).
    const fills = await page.$$eval('#eval-chart g.config .point', (n) => [
      ...new Set(n.map((p) => getComputedStyle(p).fill)),
    ]);
    assert.equal(fills.length, 3, `one colour per mode: ${fills.join(', ')}`);

    // Grid: a row per problem, a mark per repeat and configuration; a click opens that run.
    assert.equal(await page.$$eval('#eval-grid .grid-body .grid-row', (n) => n.length), 12);
    assert.equal(await page.$$eval('#eval-grid button.mark', (n) => n.length), state.runs.length);
    const run = /** @type {EvalRunRow} */ (
      state.runs.find((r) => r.problemId === 'demo-04' && r.repeat === 1 && r.threshold === 5)
    );
    const mark = page
      .locator('#eval-grid .grid-body .grid-row', { hasText: 'demo-04' })
      .locator('.cell[data-config="specreason-t5-greedy"] button.mark[data-repeat="1"]');
    assert.equal(await mark.getAttribute('data-verdict'), run.correct ? 'correct' : 'wrong');
    await mark.click();
    assert.deepEqual(await posted(page, 'eval/openRun'), [
      {
        type: 'eval/openRun',
        run: { mode: 'specreason', threshold: 5, scoreMethod: 'greedy', problemId: 'demo-04', repeat: 1 },
      },
    ]);

    // Exports: files of the core, and the chart with its colours resolved.
    await page.click('#btn-export-csv');
    await page.click('#btn-export-svg');
    const exports = await posted(page, 'eval/export');
    assert.equal(exports[0].format, 'csv');
    assert.equal(exports[1].format, 'svg');
    assert.match(exports[1].svg, /^<\?xml[^]*<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.doesNotMatch(exports[1].svg, /var\(--/);
    assert.doesNotMatch(exports[1].svg, /class="/);
    assert.match(exports[1].svg, /fill="rgb\(/);
    fs.writeFileSync(path.join(ARTIFACTS, 'eval-chart.svg'), exports[1].svg);
  });

  it('hostile problem ids, answers and errors are rendered as inert text, with no CSP violation', async function () {
    const page = await openPanel();
    const configs = configurations([7]);
    const runs = makeRuns(configs, [HOSTILE_ID, 'plain', 'javascript:alert(1)'], 1).map((r) => ({
      ...r,
      answer: HOSTILE_ANSWER,
      gold: '<svg onload="window.__pwned=4">',
    }));
    runs[0] = { ...runs[0], stopReason: 'error', error: '<img src=y onerror="window.__pwned=5"> ECONNREFUSED' };
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({
        form: form({ modes: ['specreason', 'base', 'small'] }),
        status: 'error',
        error: '<b>bold?</b> the server <img src=z onerror="window.__pwned=6">',
        outDir: '/tmp/<script>x</script>',
        progress: { done: runs.length, total: 12, failed: 1, resumed: 0, startedAt: Date.now() - 1000 },
        configurations: summarise(configs, runs),
        runs,
      }),
    });
    await nextFrame(page);
    // Nothing but our own elements: no img/script/iframe/b/svg-from-text anywhere.
    for (const tag of ['img', 'script', 'iframe', 'b', 'a']) {
      assert.equal(await page.$$eval(`#app ${tag}`, (n) => n.length), 0, tag);
    }
    assert.equal(await page.$$eval('#app svg', (n) => n.length), 1, 'only the chart');
    assert.deepEqual(await texts(page, '#eval-grid .grid-body .problem-id'), [
      HOSTILE_ID,
      'plain',
      'javascript:alert(1)',
    ]);
    assert.equal(await page.textContent('#eval-grid .grid-body .gold'), '<svg onload="window.__pwned=4">');
    const label =
      (await page.getAttribute('#eval-grid .grid-body .grid-row:nth-child(2) button.mark', 'aria-label')) ?? '';
    assert.ok(label.includes(`answer: ${HOSTILE_ANSWER}`), label);
    // Its card typesets nothing it cannot parse: the hostile answer stays text, no element of it runs or loads.
    await page.hover('#eval-grid .grid-body .grid-row:nth-child(2) button.mark');
    await page.waitForSelector('#mark-card:not([hidden])');
    assert.ok(((await page.textContent('#mark-card [data-field="answer"]')) ?? '').includes(HOSTILE_ANSWER));
    for (const tag of ['img', 'script', 'iframe', 'b', 'a']) {
      assert.equal(await page.$$eval(`#mark-card ${tag}`, (n) => n.length), 0, `card: ${tag}`);
    }
    assert.match((await page.textContent('#error')) ?? '', /^<b>bold\?<\/b> the server <img/);
    assert.equal(await page.textContent('#eval-out'), 'Output folder: /tmp/<script>x</script>');
    await page.click('#eval-failures summary');
    assert.deepEqual(await texts(page, '#eval-failures li'), [
      `SpecReason t=7 greedy · ${HOSTILE_ID} #0: <img src=y onerror="window.__pwned=5"> ECONNREFUSED`,
    ]);
    // Clicking the hostile id's mark sends the id back verbatim (the host looks it up, never parses it).
    await page.click('#eval-grid .grid-body .grid-row:first-child .cell[data-config="base"] button.mark');
    assert.equal((await posted(page, 'eval/openRun'))[0].run.problemId, HOSTILE_ID);
    // Resume is offered for the folder with failed runs.
    assert.equal(await page.isVisible('#btn-resume'), true);
    await page.click('#btn-resume');
    assert.equal((await posted(page, 'eval/resume')).length, 1);
    await shot(page, 'hostile');
  });

  it('live progress: bar, done/total, runs per minute, ETA, failures; cancel; form locked while running', async function () {
    const page = await openPanel();
    const configs = configurations([5, 9], ['specreason', 'base']);
    const all = makeRuns(configs, DEMO_IDS, 1);
    const startedAt = Date.now() - 60_000;
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({
        form: form({ thresholds: [5, 9] }),
        status: 'running',
        outDir: '/ws/.specreason/evals/now',
        progress: { done: 0, total: all.length, failed: 0, resumed: 0, startedAt },
      }),
    });
    await nextFrame(page);
    assert.equal(await page.isDisabled('#btn-run'), true);
    assert.equal(await page.isDisabled('#btn-cancel'), false);
    assert.equal(await page.isDisabled('#eval-repeats'), true);
    assert.match((await page.textContent('#eval-progress-text')) ?? '', /^0 \/ 36 runs · measuring speed…$/);

    const first = all.slice(0, 12);
    first[3] = { ...first[3], stopReason: 'error', error: 'base server: connection refused (ECONNREFUSED)' };
    await send(page, {
      type: 'eval/didUpdate',
      runs: first,
      configurations: summarise(configs, first),
      progress: { done: 12, total: all.length, failed: 1, resumed: 0, startedAt },
    });
    await nextFrame(page);
    assert.equal(
      await page.$eval('#eval-progress-bar', (p) => {
        const bar = /** @type {HTMLProgressElement} */ (p);
        return [bar.value, bar.max].join('/');
      }),
      '12/36',
    );
    const text = (await page.textContent('#eval-progress-text')) ?? '';
    assert.match(text, /^12 \/ 36 runs · 1 failed · 1[12](\.\d)? runs\/min · ETA 2 m \d\d s$/);
    assert.equal(await page.textContent('#eval-failures summary'), '1 failed run');
    assert.equal(await page.$$eval('#eval-grid button.mark', (n) => n.length), 12);
    assert.equal(await page.$$eval('#eval-grid button.mark[data-verdict="failed"]', (n) => n.length), 1);

    await page.click('#btn-cancel');
    assert.equal((await posted(page, 'eval/cancel')).length, 1);
    await send(page, { type: 'eval/status', status: 'cancelled' });
    await nextFrame(page);
    assert.equal(await page.textContent('#status'), 'Cancelled');
    assert.match((await page.textContent('#eval-progress-text')) ?? '', /cancelled: finished runs are kept/);
    assert.equal(await page.isVisible('#btn-resume'), true);
    assert.equal(await page.isDisabled('#eval-repeats'), false);

    // Resume: the failed run comes back fixed and replaces its mark.
    await send(page, { type: 'eval/status', status: 'running' });
    const fixed = { ...all[3] };
    const rest = [fixed, ...all.slice(12)];
    await send(page, {
      type: 'eval/didUpdate',
      runs: rest,
      configurations: summarise(configs, all),
      progress: { done: 36, total: 36, failed: 0, resumed: 11, startedAt: Date.now() - 5000 },
    });
    await send(page, { type: 'eval/status', status: 'finished' });
    await nextFrame(page);
    assert.equal(await page.$$eval('#eval-grid button.mark', (n) => n.length), 36);
    assert.equal(await page.$$eval('#eval-grid button.mark[data-verdict="failed"]', (n) => n.length), 0);
    assert.equal(await page.isVisible('#eval-failures'), false, 'no failure left after the resume');
  });

  for (const theme of ['dark', 'light', 'high-contrast']) {
    it(`screenshot of a finished sweep (${theme} theme)`, async function () {
      const page = await openPanel(`?theme=${theme}&simulated=true`, { width: 1100, height: 900 });
      await send(page, { type: 'eval/snapshot', state: finishedSweep(DEMO_IDS, 2) });
      await nextFrame(page);
      // Text and marks stay distinguishable: the chart's text uses the theme foreground.
      const colors = await page.evaluate(() => ({
        label: getComputedStyle(/** @type {Element} */ (document.querySelector('#eval-chart .point-label'))).fill,
        body: getComputedStyle(document.body).color,
      }));
      assert.equal(colors.label, colors.body);
      const file = await shot(page, theme);
      if (process.env.UPDATE_SCREENSHOTS) {
        fs.copyFileSync(file, path.join(ROOT, 'docs/screenshots', `evaluate-panel-${theme}.png`));
      }
    });
  }

  // Frame times with these 2,000 runs are measured by `npm run bench:evalpanel` (a benchmark, not a test).
  it('2,000 runs streaming in, then in one snapshot: every run in the grid, the chart in place, sorting', async function () {
    const page = await openPanel();
    const configs = configurations([3, 5, 7, 9]);
    const ids = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(3, '0')}`);
    const runs = makeRuns(configs, ids, 4).slice(0, 2000); // 100 × 4 × 6 = 2,400, first 2,000 in run order
    const total = runs.length;
    const bigForm = form({ modes: ['specreason', 'base', 'small'], thresholds: [3, 5, 7, 9], repeats: 4 });
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({
        dataset: { path: '/ws/big.jsonl', name: 'big.jsonl', problems: 100 },
        form: bigForm,
        status: 'running',
        outDir: '/ws/.specreason/evals/big',
        progress: { done: 0, total, failed: 0, resumed: 0, startedAt: Date.now() },
      }),
    });
    await nextFrame(page);
    const BATCH = 20;
    const messages = [];
    for (let i = 0; i < total; i += BATCH) {
      const done = runs.slice(0, i + BATCH);
      messages.push({
        type: 'eval/didUpdate',
        runs: runs.slice(i, i + BATCH),
        configurations: summarise(configs, done),
        progress: { done: done.length, total, failed: 0, resumed: 0, startedAt: Date.now() - 1000 },
      });
    }
    // The chart's point groups are kept and moved, not rebuilt, while runs stream in.
    await page.evaluate(() => {
      /** @type {any} */ (window).__pointGroups = [];
    });
    await page.evaluate(async (list) => {
      for (const data of list) {
        window.dispatchEvent(new MessageEvent('message', { data }));
        await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
        const groups = /** @type {any} */ (window).__pointGroups;
        document.querySelectorAll('#eval-chart g.config').forEach((g) => groups.includes(g) || groups.push(g));
      }
    }, messages);
    assert.equal(await page.evaluate(() => /** @type {any} */ (window).__pointGroups.length), 6, 'six groups, kept');
    assert.equal(await page.$$eval('#eval-grid button.mark', (n) => n.length), total);
    assert.equal(
      await page.$$eval('#eval-grid .grid-body .grid-row', (n) => n.length),
      new Set(runs.map((r) => r.problemId)).size,
    );
    assert.equal(await page.$$eval('#eval-chart g.config', (n) => n.length), 6);
    assert.match((await page.textContent('#eval-progress-text')) ?? '', /^2,000 \/ 2,000 runs/);

    // The same 2,000 runs in one snapshot (a reopened panel, or an evaluation opened from its folder).
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({ form: bigForm, status: 'finished', configurations: summarise(configs, runs), runs }),
    });
    await nextFrame(page);
    assert.equal(await page.$$eval('#eval-grid button.mark', (n) => n.length), total);
    // Sorted by mean latency, the largest first.
    await page.click('#eval-table th[data-col="mean"] button');
    const order = await page.$$eval('#eval-table tbody tr', (trs) => trs.map((tr) => tr.getAttribute('data-config')));
    assert.equal(order[0], 'base');
    assert.equal(order[order.length - 1], 'small');
  });

  it("gold answers are typeset (KaTeX, inert), their source in the tooltip; a problem's text on hover over its id", async function () {
    const page = await openPanel();
    const configs = configurations([7]);
    const golds = ['\\frac{1}{2}', '\\sqrt{2}', 'x^2 + 1', '\\frac{'];
    const runs = makeRuns(configs, ['p1', 'p2', 'p3', 'p4'], 1).map((r) => ({
      ...r,
      gold: golds[Number(r.problemId.slice(1)) - 1],
    }));
    const problems = { p1: 'What is half of one?', p2: '<img src=x onerror="window.__pwned=7"> Square root?' };
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({ status: 'finished', configurations: summarise(configs, runs), runs, problems }),
    });
    await page.waitForSelector('#eval-grid .grid-body .gold .katex');
    assert.deepEqual(
      await page.$$eval('#eval-grid .grid-body .problem-id', (n) => n.map((e) => e.getAttribute('title'))),
      ['p1\n\nWhat is half of one?', `p2\n\n${problems.p2}`, 'p3', 'p4'],
    );
    const cells = await page.$$eval('#eval-grid .grid-body .gold', (nodes) =>
      nodes.map((n) => ({
        typeset: !!n.querySelector('.katex'),
        tex: n.querySelector('annotation')?.textContent ?? n.textContent,
        title: n.getAttribute('title'),
      })),
    );
    assert.deepEqual(cells, [
      { typeset: true, tex: '\\frac{1}{2}', title: 'Gold answer: \\frac{1}{2}' },
      { typeset: true, tex: '\\sqrt{2}', title: 'Gold answer: \\sqrt{2}' },
      { typeset: true, tex: 'x^2 + 1', title: 'Gold answer: x^2 + 1' },
      // Not TeX KaTeX can parse: shown as its source, as text.
      { typeset: false, tex: '\\frac{', title: 'Gold answer: \\frac{' },
    ]);
  });

  it('chart labels overprint neither one another nor other points, even in a crowded sweep', async function () {
    const page = await openPanel();
    const thresholds = [1, 2, 3, 4, 5, 6, 7, 8, 9];
    const configs = configurations(thresholds);
    const runs = makeRuns(configs, DEMO_IDS, 1);
    // Nine SpecReason points within a few percent and a few hundred ms of each other, base and small nearby.
    const crowded = summarise(configs, runs).map((row, i) => ({
      ...row,
      accuracy: 0.6 + (i % 3) * 0.01,
      accuracyLow: 0.55,
      accuracyHigh: 0.7,
      meanWallMs: 4000 + i * 60,
    }));
    await send(page, {
      type: 'eval/snapshot',
      state: panelState({ status: 'finished', configurations: crowded, runs }),
    });
    await page.waitForFunction((n) => document.querySelectorAll('#eval-chart .point-label').length === n, 11);
    const clashes = await page.evaluate(() => {
      /** @param {DOMRect} a @param {DOMRect} b */
      const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
      const groups = [...document.querySelectorAll('#eval-chart .points > g')];
      /** @param {ParentNode} g @param {string} selector */
      const box = (g, selector) => /** @type {Element} */ (g.querySelector(selector)).getBoundingClientRect();
      const labels = groups.map((g) => ({ g, box: box(g, '.point-label') }));
      const marks = groups.map((g) => ({ g, box: box(g, '.point') }));
      const plot = box(document, '#eval-chart');
      /** @type {string[]} */
      const found = [];
      labels.forEach((a, i) => {
        const name = a.g.getAttribute('data-config');
        labels
          .slice(i + 1)
          .forEach((b) => hit(a.box, b.box) && found.push(`${name} × ${b.g.getAttribute('data-config')}`));
        marks.forEach(
          (m) => m.g !== a.g && hit(a.box, m.box) && found.push(`${name} × point ${m.g.getAttribute('data-config')}`),
        );
        if (a.box.left < plot.left || a.box.right > plot.right) {
          found.push(`${name} outside the chart`);
        }
      });
      return found;
    });
    assert.deepEqual(clashes, []);
    await shot(page, 'chart-crowded');
  });

  /** A finished sweep whose rows carry the policies' cost columns (judge calls, critical path): the widest table. */
  function sweepWithCosts() {
    const state = finishedSweep();
    state.configurations = state.configurations.map((c) => ({
      ...c,
      costs: {
        judgeCalls: 12.5,
        smallRequests: 14.25,
        baseRequests: 13.5,
        wastedTokens: 120,
        criticalPathMs: 12_345,
        lowerBoundMs: 6_789,
      },
    }));
    return state;
  }

  /** Whether every "Use this threshold" lies inside the table's visible box (none cut off). */
  /** @param {Page} page */
  const useButtonsInView = (page) =>
    page.evaluate(() => {
      const frame = /** @type {Element} */ (document.querySelector('.results-section .table-scroll'));
      const box = frame.getBoundingClientRect();
      return [...document.querySelectorAll('#eval-table .use-threshold')].map((b) => {
        const r = b.getBoundingClientRect();
        return r.width > 0 && r.left >= box.left - 1 && r.right <= box.right + 1;
      });
    });

  for (const width of [380, 1100]) {
    it(`readable in a ${width} px panel: the configuration column stays in view with "Use this threshold", the chart keeps its size`, async function () {
      const page = await openPanel('', { width, height: 900 });
      await send(page, { type: 'eval/snapshot', state: sweepWithCosts() });
      await page.waitForSelector('#eval-table tbody tr');
      const scroller = page.locator('.results-section .table-scroll').first();
      const sideways = await scroller.evaluate((e) => e.scrollWidth - e.clientWidth);
      assert.ok(sideways > 0, `the table with cost columns is wider than a ${width} px panel`);
      // Every SpecReason row's action is reachable without scrolling, and still after scrolling to the far right.
      assert.deepEqual(await useButtonsInView(page), [true, true, true, true], 'Use this threshold in view');
      await scroller.evaluate((e) => {
        e.scrollLeft = e.scrollWidth;
      });
      await nextFrame(page);
      assert.deepEqual(await useButtonsInView(page), [true, true, true, true], 'and after scrolling sideways');
      await page.click('#eval-table tr[data-config="specreason-t9-greedy"] .use-threshold');
      assert.equal((await posted(page, 'eval/useThreshold')).length, 1, 'the button works where it is');
      const frame = await scroller.boundingBox();
      const cell = await page.locator('#eval-table tbody th').first().boundingBox();
      assert.ok(
        frame && cell && Math.abs(cell.x - frame.x) <= 2,
        `the configuration column stays at the left (${cell?.x} vs ${frame?.x})`,
      );
      const page0 = await page.evaluate(
        () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
      );
      assert.equal(page0, 0, 'the page itself does not scroll sideways: only the table and the chart do');
      const chart = await page.locator('svg.eval-chart').boundingBox();
      assert.ok(chart && chart.width >= 519, `the chart keeps a readable size (${chart?.width} px)`);
      const figure = await page.locator('.chart-figure').evaluate((e) => e.scrollWidth - e.clientWidth);
      assert.equal(figure > 0, width < 600, width < 600 ? 'a narrow panel scrolls the chart' : 'a wide one does not');
      await shot(page, `readable-${width}`);
    });
  }

  it("a mark's card typesets the run's answer and the gold (KaTeX, inert), on hover and on keyboard focus", async function () {
    const page = await openPanel();
    const state = finishedSweep();
    state.runs = state.runs.map((r, i) =>
      i === 0 ? { ...r, answer: '\\frac{3}{4}', gold: '\\dfrac{3}{4}', correct: true } : r,
    );
    await send(page, { type: 'eval/snapshot', state });
    const first = '#eval-grid .grid-body .grid-row:first-child button.mark';
    await page.waitForSelector(first);
    // No native tooltip (text only) beside the card; the accessible name keeps every fact as text.
    assert.equal(await page.getAttribute(first, 'title'), null);
    assert.match((await page.getAttribute(first, 'aria-label')) ?? '', /answer: \\frac\{3\}\{4\}\ngold: \\dfrac/);
    await page.hover(first);
    await page.waitForSelector('#mark-card:not([hidden])');
    assert.equal(await page.locator('#mark-card [data-field="answer"] .katex').count(), 1, 'answer typeset');
    assert.equal(await page.locator('#mark-card [data-field="gold"] .katex').count(), 1, 'gold typeset');
    assert.match((await page.textContent('#mark-card .card-head')) ?? '', /^SpecReason t=3 greedy, repeat 0: correct/);
    assert.equal(await page.getAttribute(first, 'aria-describedby'), 'mark-card');
    // Inside the viewport, beside its mark.
    const card = await page.locator('#mark-card').boundingBox();
    const mark = await page.locator(first).first().boundingBox();
    const viewport = page.viewportSize();
    assert.ok(card && mark && viewport);
    assert.ok(card.x >= 0 && card.x + card.width <= viewport.width && card.y >= 0, JSON.stringify(card));
    assert.ok(Math.abs(card.y - (mark.y + mark.height)) < 12 || Math.abs(card.y + card.height - mark.y) < 12);
    // Away: hidden. Keyboard focus shows it again; Escape hides it.
    await page.mouse.move(0, 0);
    await page.waitForSelector('#mark-card', { state: 'hidden' });
    await page.focus(first);
    await page.waitForSelector('#mark-card:not([hidden])');
    await page.keyboard.press('Escape');
    await page.waitForSelector('#mark-card', { state: 'hidden' });
    await shot(page, 'mark-card');
  });
});
