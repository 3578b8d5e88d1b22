// @ts-check
'use strict';
// A mixed pair of engines in the real VS Code (code-server + Chromium, the packaged .vsix): the small model on
// the simulator's Ollama dialect, the base model on its SGLang dialect, each URL as its user would give it
// (Ollama's bare server, SGLang's /v1) and both kinds left to detection. Solve makes the decisions it makes on
// vLLM and names each engine; Compare runs SpecReason and the base model side by side; each request went to
// its engine's own endpoint, and the Request view shows it as that engine got it.

const assert = require('node:assert/strict');
const path = require('node:path');
const { isDeepStrictEqual } = require('node:util');
const d = require('../driver');
/** @typedef {import('../types').RequestLogEntry} RequestLogEntry */
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').CspWatcher} CspWatcher */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';
/** What the demo scenario gives on vLLM (solve.ui.js holds the vLLM run to it). */
const ORIGINS = ['small', 'small', 'small', 'base-fallback', 'small', 'small', 'small', 'small'];

describe('Mixed engines in code-server: small on Ollama, base on SGLang (packaged .vsix)', function () {
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

  /** The routes a server was POSTed to, sorted. */
  const postPaths = (/** @type {RequestLogEntry[]} */ log) =>
    [
      ...new Set(
        log
          .filter((/** @type {RequestLogEntry} */ e) => e.method === 'POST')
          .map((/** @type {RequestLogEntry} */ e) => e.path),
      ),
    ].sort();

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO, { base: { dialect: 'sglang' }, small: { dialect: 'ollama' } });
    browser = await d.launchBrowser();
    page = await d.newPage(browser);
    csp = d.watchCspViolations(page);
    await csp.ready;
    await d.openWorkbench(page, d.env.url, d.env.workspace);
    await d.openSettingsAndSet(page, 'specreason.server.baseUrl', pair.base.userUrl);
    await d.openSettingsAndSet(page, 'specreason.server.smallUrl', pair.small.userUrl);
    await d.openSettingsAndSet(page, 'specreason.server.maxRetries', 0, { close: true });
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

  it("solves as on vLLM, each engine detected and named in the panel, each request on its engine's endpoint", async () => {
    assert.match(pair.small.userUrl, /^http:\/\/127\.0\.0\.1:\d+$/, "Ollama's URL as its users give it");
    assert.match(pair.base.userUrl, /\/v1$/);
    const panel = await runOnProblem('SpecReason: Solve Selection');
    await panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 90000 });
    const origins = await panel.locator('.step').evaluateAll((els) => els.map((e) => e.getAttribute('data-origin')));
    assert.deepEqual(origins, ORIGINS);
    await d.stepsBuilt(panel);
    assert.match((await panel.locator('.step .score').allTextContents())[3], /2/);
    assert.match((await panel.locator('#answer').textContent()) ?? '', /50/);
    const settings = (await panel.locator('#run-settings').textContent()) ?? '';
    assert.match(settings, /base Qwen\/QwQ-32B \(SGLang\)/);
    assert.match(settings, /small \S+ \(Ollama\)/);
    assert.ok(await panel.locator('#sim-badge').isVisible(), 'the simulated pair is labelled');
    assert.deepEqual(
      postPaths(pair.small.log),
      ['/api/generate', '/api/show'],
      "the small model's requests: Ollama's native API (its template and context from /api/show)",
    );
    assert.ok(
      pair.small.log
        .filter((/** @type {RequestLogEntry} */ e) => e.path === '/api/generate')
        .every(
          (/** @type {RequestLogEntry} */ e) =>
            e.body?.raw === true &&
            Number(/** @type {{ options?: { num_ctx?: number } }} */ (e.body)?.options?.num_ctx) > 0,
        ),
      'raw prompts, with num_ctx always',
    );
    assert.deepEqual(postPaths(pair.base.log), ['/v1/chat/completions'], "the base model's: SGLang's chat API");
    // The Request view of the rewritten step: each request as its engine got it, route and body.
    const rejected = panel.locator('article.step[data-origin="base-fallback"]');
    await rejected.locator('.step-request > summary').click();
    await rejected.locator('.request[data-purpose="rewrite"]').waitFor();
    const header = (/** @type {string} */ purpose) =>
      rejected
        .locator(`.request[data-purpose="${purpose}"] h4`)
        .textContent()
        .then((text) => text ?? '');
    const shownBody = async (/** @type {string} */ purpose) =>
      JSON.parse((await rejected.locator(`.request[data-purpose="${purpose}"] .request-body`).textContent()) ?? '');
    assert.match(await header('draft'), /POST \/api\/generate$/);
    assert.match(await header('score'), /POST \/v1\/chat\/completions$/);
    assert.match(await header('rewrite'), /POST \/v1\/chat\/completions$/);
    const draft = await shownBody('draft');
    assert.ok(
      pair.small.log.some(
        (/** @type {RequestLogEntry} */ e) => e.path === '/api/generate' && isDeepStrictEqual(e.body, draft),
      ),
      `the shown draft request (raw prompt ${JSON.stringify(String(draft.prompt).slice(-60))}) is one Ollama got`,
    );
    const score = await shownBody('score');
    assert.equal(score.add_generation_prompt, undefined, 'SGLang has no add_generation_prompt');
    assert.ok(
      pair.base.log.some(
        (/** @type {RequestLogEntry} */ e) => e.path === '/v1/chat/completions' && isDeepStrictEqual(e.body, score),
      ),
      'the shown score request is one SGLang got',
    );
    await d.screenshot(page, path.join(d.env.artifacts, 'panel-mixed-engines.png'));
    csp.assertNoCspViolations({ webviewOnly: true });
  });

  it('compares SpecReason with the base model on the mixed pair', async () => {
    const panel = await runOnProblem('SpecReason: Compare with Base Model');
    await panel.locator('#speedup', { hasText: /\d×/ }).waitFor({ timeout: 90000 });
    assert.equal(await panel.locator('.compare-column').count(), 2);
    for (const mode of ['specreason', 'base']) {
      assert.equal(
        await panel.locator(`tr[data-mode="${mode}"] td[data-col="stop"]`).textContent(),
        'answer reached',
        mode,
      );
    }
    const settings = await panel.locator('.run-settings').allTextContents();
    assert.ok(
      settings.some((t) => /base Qwen\/QwQ-32B \(SGLang\)/.test(t) && /\(Ollama\)/.test(t)),
      `the SpecReason column names both engines: ${JSON.stringify(settings)}`,
    );
  });
});
