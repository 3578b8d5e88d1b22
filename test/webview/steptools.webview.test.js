// @ts-check
// Browser tests of the panel's problem header and per-step tools (media/gen/webview.js in headless
// Chromium, test/webview/harness.html standing in for the host): the "no selection" note, Go to source,
// copy step, a step's exact request, bar → step, keyboard, threshold marks, the legend.
// Needs a built bundle: `node esbuild.js`.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { ROOT, startServer, launchChromium } = require('./support');

/** @typedef {import('playwright-core').Page} Page */
/** @typedef {import('../../src/shared/protocol').ToWebview} ToWebview */
/** @typedef {import('../../src/shared/protocol').FromWebview} FromWebview */
/** @typedef {import('../../src/shared/protocol').PanelState} PanelState */
/** @typedef {import('../../src/shared/protocol').PanelRun} PanelRun */
/** @typedef {import('../../src/core/runRecord').StepRecord} StepRecord */

const ARTIFACTS = path.join(ROOT, 'test-artifacts');

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
  let server;
  let browser;
  let baseUrl;
  let context;
  let pageErrors;

  before(async function () {
    if (!fs.existsSync(path.join(ROOT, 'media/gen/webview.js'))) {
      throw new Error('media/gen/webview.js is missing: run `node esbuild.js` first');
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    baseUrl = `http://127.0.0.1:${server.address().port}`;
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  afterEach(async function () {
    const pages = context ? context.pages() : [];
    const violations = pages.length ? await pages[0].evaluate(() => window.__cspViolations) : [];
    await context?.close();
    context = undefined;
    assert.deepEqual(pageErrors, [], 'page errors');
    assert.deepEqual(violations, [], 'CSP violations');
  });

  /** @returns {Promise<Page>} */
  async function openPanel(query = '', viewport = { width: 960, height: 900 }) {
    context = await browser.newContext({ viewport, reducedMotion: 'reduce' });
    const page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') {
        pageErrors.push(m.text());
      }
    });
    await page.goto(`${baseUrl}/test/webview/harness.html${query}`);
    await page.waitForFunction(() => window.__posted.some((m) => m.type === 'webview/ready'));
    return page;
  }

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
});
