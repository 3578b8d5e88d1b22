// @ts-check
'use strict';
// UI tests of where a problem comes from and the per-step tools (issue 12 items 12–13), in code-server
// with the packaged .vsix and the simulated vLLM pair: Solve with no selection sends only the problem
// block and the panel says so; "Go to source" selects the problem in its editor; copy a step; a step's
// exact request; a step-time bar jumps to its step; steps by keyboard; the legend.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').CspWatcher} CspWatcher */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
const PROBLEM_TEXT =
  'A rectangle has a perimeter of 30 cm and its length is twice its width. What is the area of the rectangle in square centimetres?';

describe('Problem source and per-step tools (code-server)', function () {
  this.timeout(180000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;
  /** @type {CspWatcher} */
  let csp;

  /** The first chat request the small server got since `from`, as it was sent. */
  const firstStepRequest = (/** @type {number} */ from) =>
    pair.small.log.slice(from).find((e) => e.path.endsWith('/chat/completions'));

  /** The editor's selection as the status bar shows it ("Ln 8, Col 5 (12 selected)"). */
  const selectionStatus = () =>
    page
      .locator('.statusbar-item[id="status.editor.selection"]')
      .first()
      .textContent({ timeout: 10000 })
      .then((text) => text ?? '');

  /** Close every editor and panel: the next webview is then index 0. */
  const closeAll = () => d.closeAllEditors(page);

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO);
    ({ browser, page, csp } = await d.openWorkbenchOnPair(pair, { clipboard: true, csp: true }));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
    await closeAll();
  });

  after(async () => {
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('no selection: only the problem block is sent, the panel says so, and Go to source selects it', async () => {
    await closeAll();
    const heading = await d.openFile(page, 'problem.md', 'A problem for SpecReason');
    await heading.click(); // a cursor on the title, nothing selected
    const before = await d.countWebviews(page);
    const from = pair.small.log.length;
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '#problem-note' });
    assert.match(
      (await panel.locator('#problem-note').textContent()) ?? '',
      /^Solving the problem found in the document \(no selection; the rest of the document is not sent\)$/,
    );
    assert.equal(await panel.locator('.problem-text').textContent(), PROBLEM_TEXT);
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    const sent = JSON.stringify(firstStepRequest(from)?.body?.messages);
    assert.match(sent, /A rectangle has a perimeter/);
    assert.doesNotMatch(
      sent,
      /A problem for SpecReason|Click \*\*Solve\*\*/,
      'the heading and instructions are not sent',
    );
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-problem-note.png'));

    // Close the document, then Go to source opens it again with the problem's text selected.
    await heading.click();
    await d.runCommand(page, 'View: Close Editor');
    await page.locator(d.SEL.editorLine, { hasText: 'A problem for SpecReason' }).waitFor({ state: 'detached' });
    await panel.locator('#btn-go-to-source').click();
    await page.locator(d.SEL.editorLine, { hasText: PROBLEM_LINE }).first().waitFor({ timeout: 15000 });
    await page
      .locator('.statusbar-item[id="status.editor.selection"]', { hasText: `(${PROBLEM_TEXT.length} selected)` })
      .first()
      .waitFor({ timeout: 15000 });
    assert.match(
      await selectionStatus(),
      new RegExp(`^Ln 8, Col ${PROBLEM_TEXT.length + 1} \\(${PROBLEM_TEXT.length} selected\\)`),
    );

    // The run reopened from the history still knows where its problem is, and what was sent.
    await closeAll();
    const beforeHistory = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Show Run History');
    await page.locator(d.SEL.quickRow).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const reopened = await d.waitForWebview(page, beforeHistory, { selector: '.step' });
    assert.match((await reopened.locator('#problem-note').textContent()) ?? '', /problem found in the document/);
    await reopened.locator('#btn-go-to-source').click();
    await page
      .locator('.statusbar-item[id="status.editor.selection"]', { hasText: `(${PROBLEM_TEXT.length} selected)` })
      .first()
      .waitFor({ timeout: 15000 });
  });

  it('no selection in a document without a problem block: the whole document, and the panel says so', async () => {
    await closeAll();
    // A file written for this test (the workspace is the run's own copy).
    const file = path.join(d.env.workspace, 'whole-document.txt');
    fs.writeFileSync(file, 'What is 6 times 7?\n');
    const line = await d.openFile(page, 'whole-document.txt', 'What is 6 times 7?');
    await line.click();
    const before = await d.countWebviews(page);
    const from = pair.small.log.length;
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '#problem-note' });
    assert.equal(await panel.locator('#problem-note').textContent(), 'Solving the whole document (no selection)');
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    assert.match(JSON.stringify(firstStepRequest(from)?.body?.messages), /What is 6 times 7\?/);
    fs.rmSync(file);
  });

  it('no selection in a document with several problems: the user picks one, and only it is sent', async () => {
    await closeAll();
    const file = path.join(d.env.workspace, 'two-problems.md');
    fs.writeFileSync(
      file,
      [
        '# Homework',
        '',
        'Pick one.',
        '',
        '## Problem 1',
        '',
        'What is 17 times 23?',
        '',
        '## Problem 2',
        '',
        'What is 6 times 7?',
        '',
      ].join('\n'),
    );
    try {
      const title = await d.openFile(page, 'two-problems.md', 'Homework');
      await title.click(); // the cursor in neither problem
      const before = await d.countWebviews(page);
      const from = pair.small.log.length;
      await d.runCommand(page, 'SpecReason: Solve Selection');
      await page
        .locator('.quick-input-widget', { hasText: 'nothing is selected. Which problem?' })
        .waitFor({ timeout: 15000 });
      const rows = page.locator(d.SEL.quickRow);
      await rows.nth(1).waitFor();
      const labels = await rows.allTextContents();
      assert.equal(labels.length, 2);
      assert.match(labels[0], /^Problem 1\s*What is 17 times 23\?/);
      assert.match(labels[1], /^Problem 2\s*What is 6 times 7\?/);
      await page.locator(d.SEL.quickRow, { hasText: 'Problem 2' }).click();
      const panel = await d.waitForWebview(page, before, { selector: '#problem-note' });
      assert.equal(
        await panel.locator('#problem-note').textContent(),
        'Solving problem 2 (no selection; the rest of the document is not sent)',
      );
      await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
      const sent = JSON.stringify(firstStepRequest(from)?.body?.messages);
      assert.match(sent, /What is 6 times 7\?/);
      assert.doesNotMatch(sent, /17 times 23|Homework/, 'the other problem and the heading are not sent');
    } finally {
      fs.rmSync(file, { force: true });
    }
  });

  it('a selection is sent as it is, with no note', async () => {
    await closeAll();
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '.problem-text' });
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    assert.equal(await panel.locator('#problem-note').count(), 0);
    assert.equal(await panel.locator('#btn-go-to-source').count(), 1, 'a selection has a source too');
    csp.assertNoCspViolations({ webviewOnly: true });
  });

  it('per-step tools: copy a step, its exact requests, bar → step, keyboard, threshold marks, legend', async () => {
    await closeAll();
    await d.selectLine(page, 'problem.md', PROBLEM_LINE);
    const before = await d.countWebviews(page);
    const baseFrom = pair.base.log.length;
    await d.runCommand(page, 'SpecReason: Solve Selection');
    const panel = await d.waitForWebview(page, before, { selector: '#app' });
    await panel.locator('#status', { hasText: /finished/i }).waitFor({ timeout: 60000 });
    const steps = panel.locator('article.step');
    assert.equal(await steps.count(), 8);

    // Copy step 2: the host puts its text on the clipboard and says so in the status bar.
    await page.evaluate(() => navigator.clipboard.writeText('(nothing yet)'));
    await steps.nth(1).locator('.step-copy').click();
    await page.locator('.statusbar-item', { hasText: 'SpecReason: step 2 copied' }).first().waitFor({ timeout: 15000 });
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.equal(copied, DEMO_SCENARIO.small[1], "step 2's text (a kept draft), as the model wrote it");

    // The rejected step's requests: the score request shown is the one the base server received.
    const rejected = panel.locator('article.step[data-origin="base-fallback"]');
    await rejected.locator('.step-request > summary').click();
    await rejected.locator('.request[data-purpose="rewrite"]').waitFor();
    const score = JSON.parse(
      (await rejected.locator('.request[data-purpose="score"] .request-body').textContent()) ?? '',
    );
    const received = pair.base.log
      .slice(baseFrom)
      .filter((e) => e.path.endsWith('/chat/completions') && e.body?.max_tokens === 1)
      .map((e) => e.body);
    assert.ok(
      received.some((body) => JSON.stringify(body) === JSON.stringify(score)),
      'the shown score request is byte for byte one the base server got',
    );
    assert.ok((await rejected.locator('.logprob-table tbody tr').count()) > 0, 'its top logprobs');
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-step-request.png'));

    // A step-time bar takes you to its step.
    await panel.locator('#timeline rect.bar[data-step-id="6"]').click({ force: true });
    await panel.locator('article.step[data-step-id="6"]:focus').waitFor({ timeout: 10000 });

    // Keyboard: from a focused step, ↓ and Home move; R opens the request.
    await panel.locator('article.step[data-step-id="6"]').press('ArrowDown');
    await panel.locator('article.step[data-step-id="7"]:focus').waitFor({ timeout: 10000 });
    await panel.locator('article.step[data-step-id="7"]').press('Home');
    await panel.locator('article.step[data-step-id="0"]:focus').waitFor({ timeout: 10000 });
    await panel.locator('article.step[data-step-id="0"]').press('r');
    await panel.locator('article.step[data-step-id="0"] .request[data-purpose="draft"]').waitFor({ timeout: 10000 });

    // The threshold on every score, and the legend.
    assert.equal(await panel.locator('article.step svg.score-meter .meter-threshold').count(), 8);
    assert.match(
      (await panel.locator('article.step[data-origin="base-fallback"] svg.score-meter').getAttribute('aria-label')) ??
        '',
      /against threshold \d: rejected/,
    );
    await panel.locator('#legend > summary').click();
    assert.equal(await panel.locator('#legend li').count(), 10);
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-step-tools.png'));
    csp.assertNoCspViolations({ webviewOnly: true });
  });
});
