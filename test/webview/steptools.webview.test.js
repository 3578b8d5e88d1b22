// @ts-check
// Browser tests of the panel's problem header and per-step tools (media/gen/webview.js in headless
// Chromium, test/webview/harness.html standing in for the host): the "no selection" note, Go to source,
// copy step, a step's exact request, bar → step, keyboard, threshold marks, the legend.
// Needs a built bundle: `node esbuild.js`.

const assert = require('node:assert/strict');
const path = require('node:path');
const { ARTIFACTS, usePanelHarness } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').FromWebview} FromWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/engine/runRecord').StepRecord} StepRecord */

/** The same code the panel uses to rebuild a step's requests (compiled by `npm run compile-tests`). */
const { stepRequests } = require('../../out/src/core/engine/stepRequests');

const PROMPT = 'Solve the problem.\n\nCompute 1 - 1/2.';
const HOSTILE = '<img src=x onerror="window.__pwned=1"> and $\\frac{1}{2}$';

/** @returns {import('../../src/core/engine/runRecord').StepRequest} */
const request = (overrides = {}) => ({
  models: { small: 'small-1.5b', base: 'base-32b' },
  maxTokens: 8192,
  temperature: 0.6,
  topP: 0.95,
  stop: ['\n\n'],
  stream: true,
  ...overrides,
});

/**
 * One step record as the engine writes it.
 * @param {number} id @param {import('../../src/core/engine/runRecord').StepOrigin} origin @param {Partial<StepRecord>} [extra]
 * @returns {StepRecord}
 */
function step(id, origin, extra = {}) {
  const text = extra.step_str ?? `Step ${id} text.`;
  const scored = origin === 'small' || origin === 'base-fallback';
  return {
    step_id: id,
    step_str: text,
    small_model_step: scored ? (extra.small_model_step ?? text) : null,
    num_output_tokens_small: scored ? 12 : null,
    score: scored ? (origin === 'small' ? 8 : 2) : null,
    base_model_step: origin === 'small' ? null : text,
    num_output_tokens_base: origin === 'small' ? null : 10,
    final_num_output_tokens: 10,
    justification: scored ? (origin === 'small' ? '8' : '2') : null,
    origin,
    timings: { stepMs: 100 + id * 50, startedAt: id * 1000, endedAt: id * 1000 + 100 },
    ...(scored
      ? {
          score_top_logprobs: [
            { token: origin === 'small' ? '8' : '2', logprob: -0.2 },
            { token: '7', logprob: -2.1 },
            { token: ' ', logprob: -4 },
          ],
        }
      : {}),
    request: request(),
    ...extra,
  };
}

/** A finished SpecReason run: a forced step, a kept draft, a rewrite of a hostile draft, a kept draft. */
function finishedRun(overrides = {}) {
  /** @type {PanelRun} */
  const run = {
    runId: 'run-t',
    mode: 'specreason',
    status: 'finished',
    startedAt: 1,
    threshold: 7,
    scoreMethod: 'greedy',
    prompt: PROMPT,
    steps: [
      step(0, 'base-forced'),
      step(1, 'small'),
      step(2, 'base-fallback', { small_model_step: HOSTILE }),
      step(3, 'small', { step_str: 'So the answer is $\\boxed{\\frac{1}{2}}$.' }),
    ],
  };
  return { ...run, ...overrides };
}

/** @param {Partial<PanelState>} [overrides] @returns {PanelState} */
function panelState(overrides = {}) {
  return {
    protocolVersion: 1,
    kind: 'solve',
    problem: { text: 'Compute 1 - 1/2.' },
    runs: [],
    tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
    ...overrides,
  };
}

describe('panel problem header and step tools (webview, Chromium)', function () {
  this.timeout(60000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 960, height: 900 } });

  /** @param {Page} page @param {PanelRun} run */
  async function showRun(page, run) {
    // Steps already shown are marked, so the wait is for the new run's steps (a snapshot renders them afresh).
    await page.evaluate(() => document.querySelectorAll('article.step').forEach((a) => a.setAttribute('data-old', '')));
    await send(page, { type: 'session/snapshot', state: panelState({ runs: [run] }) });
    await page.waitForSelector(`article.step:not([data-old])[data-step-id="${run.steps.length - 1}"]`);
  }
  /** @param {Page} page */
  const focusedStep = (page) => page.evaluate(() => document.activeElement?.getAttribute('data-step-id'));

  /** @param {Page} page @param {ToWebview} message */
  const send = (page, message) => page.evaluate((m) => window.postMessage(m, '*'), message);
  /** @param {Page} page @param {FromWebview['type']} type */
  const posted = (page, type) => page.evaluate((t) => window.__posted.filter((m) => m.type === t), type);

  it('says where the problem came from when nothing was selected, and offers Go to source', async function () {
    const page = await openPanel();
    const note = 'Solving the whole document (no selection)';
    await send(page, {
      type: 'session/snapshot',
      state: panelState({ problemNote: note, problemSource: { uri: 'file:///w/problem.md', line: 7, endLine: 7 } }),
    });
    await page.waitForSelector('#problem-note');
    assert.equal(await page.textContent('#problem-note'), note);
    assert.equal(await page.getAttribute('#problem-note', 'role'), 'note');
    await page.click('#btn-go-to-source');
    assert.deepEqual(await posted(page, 'problem/goToSource'), [{ type: 'problem/goToSource' }]);
    await page.focus('#btn-go-to-source');
    await page.keyboard.press('Enter');
    assert.equal((await posted(page, 'problem/goToSource')).length, 2, 'Go to source works from the keyboard');

    // A typed-in problem (no source, no note): neither is shown.
    await send(page, { type: 'session/snapshot', state: panelState() });
    await page.waitForSelector('#problem-note', { state: 'detached' });
    assert.equal(await page.locator('#btn-go-to-source').count(), 0);
    // A note is text, never markup.
    await send(page, { type: 'session/snapshot', state: panelState({ problemNote: '<img src=x onerror=alert(1)>' }) });
    await page.waitForSelector('#problem-note');
    assert.equal(await page.textContent('#problem-note'), '<img src=x onerror=alert(1)>');
    assert.equal(await page.locator('#problem-note img').count(), 0);
  });

  it('copies one step: the button and the C key post the step, the host copies it from its own state', async function () {
    const page = await openPanel();
    await showRun(page, finishedRun());
    await page.click('article.step[data-step-id="1"] .step-copy');
    assert.deepEqual(await posted(page, 'step/copy'), [{ type: 'step/copy', runId: 'run-t', stepId: 1 }]);
    assert.equal(await page.textContent('article.step[data-step-id="1"] .step-copy'), 'Copied');
    await page.focus('article.step[data-step-id="3"]');
    await page.keyboard.press('c');
    assert.deepEqual((await posted(page, 'step/copy')).at(-1), { type: 'step/copy', runId: 'run-t', stepId: 3 });
  });

  it('steps are reachable and operable by keyboard, with a visible focus', async function () {
    const page = await openPanel();
    await showRun(page, finishedRun());
    const articles = page.locator('article.step');
    assert.deepEqual(await articles.evaluateAll((els) => els.map((e) => e.getAttribute('tabindex'))), [
      '0',
      '0',
      '0',
      '0',
    ]);
    assert.deepEqual(await articles.evaluateAll((els) => els.map((e) => e.getAttribute('aria-posinset'))), [
      '1',
      '2',
      '3',
      '4',
    ]);
    await page.focus('article.step[data-step-id="0"]');
    const ring = await page.evaluate(
      () => getComputedStyle(/** @type {Element} */ (document.activeElement)).outlineStyle,
    );
    assert.equal(ring, 'solid', 'a focused step shows its focus ring');
    await page.keyboard.press('ArrowDown');
    assert.equal(await focusedStep(page), '1');
    await page.keyboard.press('End');
    assert.equal(await focusedStep(page), '3');
    await page.keyboard.press('PageUp');
    assert.equal(await focusedStep(page), '2');
    await page.keyboard.press('Home');
    assert.equal(await focusedStep(page), '0');
    await page.keyboard.press('ArrowUp');
    assert.equal(await focusedStep(page), '0', 'stays on the first step');
    await page.keyboard.press('r');
    assert.ok(
      await page
        .locator('article.step[data-step-id="0"] .step-request')
        .evaluate((d) => /** @type {HTMLDetailsElement} */ (d).open),
    );
    await page.waitForSelector('article.step[data-step-id="0"] .request[data-purpose="step"]');
    // Tab reaches a step from the controls before it (its Copy button and Request come right after it).
    await page.focus('article.step[data-step-id="1"] .step-copy');
    await page.keyboard.press('Shift+Tab');
    assert.equal(await focusedStep(page), '1');
  });

  it("shows a step's exact requests: messages and sampling, the score request and its top logprobs", async function () {
    const page = await openPanel();
    const run = finishedRun();
    await showRun(page, run);
    const article = page.locator('article.step[data-step-id="2"]');
    await article.locator('.step-request > summary').click();
    await article.locator('.request[data-purpose="rewrite"]').waitFor();
    assert.deepEqual(await article.locator('.request h4').allTextContents(), [
      'Draft · small model small-1.5b · POST /v1/chat/completions',
      'Score · base model base-32b · POST /v1/chat/completions',
      'Rewrite · base model base-32b · POST /v1/chat/completions',
    ]);
    /** @type {any[]} */
    const bodies = (await article.locator('.request-body').allTextContents()).map((t) => JSON.parse(t));
    /** @type {any[]} */
    const expected = (stepRequests(PROMPT, 'specreason', run.steps, 2) ?? []).map((r) => r.body);
    assert.deepEqual(bodies, expected, 'the bodies are what core/stepRequests rebuilds (checked against a server)');
    assert.equal(bodies[0].messages[1].content, '<think>Step 0 text.\n\nStep 1 text.\n\n');
    assert.match(bodies[1].messages[1].content, /<img src=x onerror/, 'the hostile draft is in the score request…');
    assert.equal(await page.locator('.request img').count(), 0, '…as text');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.match(
      (await article.locator('.request[data-purpose="draft"] .request-params').textContent()) ?? '',
      /max_tokens 8192 · temperature 0\.6 · top_p 0\.95 · stop \["\\n\\n"\] · stream true/,
    );
    assert.match(
      (await article.locator('.request[data-purpose="score"] .request-params').textContent()) ?? '',
      /max_tokens 1 · temperature 0 · logprobs true · top_logprobs 10/,
    );
    const rows = await article
      .locator('.logprob-table tbody tr')
      .evaluateAll((trs) => trs.map((tr) => [...tr.children].map((td) => td.textContent)));
    assert.deepEqual(rows[0], ['"2"', '-0.200', '81.9%', '< τ']);
    assert.deepEqual(rows[1], ['"7"', '-2.100', '12.2%', '≥ τ']);
    assert.deepEqual(rows[2], ['" "', '-4.000', '1.8%', '']);
    await page.screenshot({ path: path.join(ARTIFACTS, 'webview-step-request.png'), fullPage: true });

    // A record saved before steps kept their request details says so.
    const old = finishedRun({ runId: 'run-old', steps: finishedRun().steps.map(({ request: _r, ...rest }) => rest) });
    await showRun(page, old);
    await page.locator('article.step[data-step-id="1"] .step-request > summary').click();
    // The request is built on the toggle event, which comes after the click.
    await page
      .locator('article.step[data-step-id="1"] .request-list', {
        hasText: 'recorded before steps kept their request details',
      })
      .waitFor({ timeout: 10000 });
  });

  it('a step-time bar takes you to its step', async function () {
    const page = await openPanel('', { width: 960, height: 500 });
    const many = finishedRun({
      steps: Array.from({ length: 24 }, (_, i) => step(i, i % 5 === 2 ? 'base-fallback' : 'small')),
    });
    await showRun(page, many);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#timeline rect.bar[data-step-id="20"]', { force: true });
    assert.equal(await focusedStep(page), '20');
    assert.ok(await page.locator('article.step[data-step-id="20"]').evaluate((e) => e.classList.contains('flash')));
    assert.ok(await page.locator('article.step[data-step-id="20"]').isVisible());
    const inView = await page.locator('article.step[data-step-id="20"]').evaluate((e) => {
      const r = e.getBoundingClientRect();
      return r.top >= 0 && r.bottom <= window.innerHeight;
    });
    assert.ok(inView, 'the step is scrolled into view');
  });

  it('marks the threshold where scores are shown', async function () {
    const page = await openPanel();
    await showRun(page, finishedRun());
    const meter = page.locator('article.step[data-step-id="1"] svg.score-meter');
    assert.equal(await meter.getAttribute('aria-label'), 'Score 8 on 0–9 against threshold 7: kept');
    assert.equal(Number(await meter.locator('.meter-threshold').getAttribute('x')), 6.925);
    assert.equal(Number(await meter.locator('.meter-fill').getAttribute('width')), 8);
    assert.equal(
      await page.getAttribute('article.step[data-step-id="2"] svg.score-meter', 'aria-label'),
      'Score 2 on 0–9 against threshold 7: rejected',
    );
    // Average scoring also draws the distribution, with the threshold line between 6 and 7.
    const average = finishedRun({ runId: 'run-avg', scoreMethod: 'average', threshold: 7 });
    await showRun(page, average);
    assert.equal(Number(await page.getAttribute('article.step[data-step-id="1"] svg.dist .dist-threshold', 'x')), 6.95);
    assert.equal(
      await page.getAttribute('article.step[data-step-id="1"] svg.score-meter', 'aria-label'),
      'Score 8.00 on 0–9 against threshold 7: kept',
    );
  });

  it('has a legend explaining colours, badges, marks and keys', async function () {
    const page = await openPanel();
    await showRun(page, finishedRun());
    assert.equal(
      await page.locator('#legend').evaluate((d) => /** @type {HTMLDetailsElement} */ (d).open),
      false,
      'collapsed by default',
    );
    await page.click('#legend > summary');
    const items = await page.locator('#legend li').allTextContents();
    assert.equal(items.length, 10);
    for (const label of ['small · accepted', 'base · after rejection', 'base · first N', 'baseline']) {
      assert.ok(
        items.some((t) => t.startsWith(label)),
        label,
      );
    }
    assert.ok(items.some((t) => /at or above the threshold τ: the draft is kept/.test(t)));
    assert.ok(items.some((t) => /tick marks the threshold/.test(t)));
    assert.ok(items.some((t) => /C copies the step, R opens its request/.test(t)));
    for (const theme of ['', '?theme=light']) {
      if (theme) {
        await page.context().close();
        const light = await openPanel(theme);
        await showRun(light, finishedRun());
        await light.click('#legend > summary');
        await light.locator('article.step[data-step-id="2"] .step-request > summary').click();
        await light.screenshot({ path: path.join(ARTIFACTS, 'webview-step-tools-light.png'), fullPage: true });
      } else {
        await page.screenshot({ path: path.join(ARTIFACTS, 'webview-step-tools-dark.png'), fullPage: true });
      }
    }
  });
});
