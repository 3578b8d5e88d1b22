// @ts-check
// Shared by the webview browser tests: a read-only static server of the repository, and the Chromium
// the VS Code rig uses (its driver's launch options).

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { launchBrowser } = require('../vscode/driver');

const ROOT = path.resolve(__dirname, '../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
/** @type {Record<string, string>} */
const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
  '.map': 'application/json',
  '.png': 'image/png',
};

/**
 * Serves the repository read-only; nothing outside it.
 * @returns {Promise<http.Server>}
 */
function startServer() {
  const server = http.createServer((req, res) => {
    const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = path.join(ROOT, path.normalize(pathname));
    if (!file.startsWith(ROOT + path.sep) || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(pathname === '/favicon.ico' ? 204 : 404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': CONTENT_TYPES[path.extname(file)] || 'application/octet-stream',
      'cache-control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** The rig's Chromium (same executable and flags as the VS Code UI tests), with a clear error when it is missing. */
function launchChromium() {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (or set CHROMIUM_PATH)`);
  }
  return launchBrowser();
}

/**
 * One panel per test in the harness page (test/webview/harness.html, the host's CSP), for a mocha suite:
 * registers the suite's hooks (a static server and Chromium for the suite; after each test, no page error, no
 * CSP violation and no injected script run) and returns `openPanel`, which loads the bundle and waits for its
 * ready message.
 * @param {{ bundle?: 'eval', ready: string, viewport: { width: number, height: number } }} options
 */
function usePanelHarness({ bundle, ready, viewport: defaultViewport }) {
  /** @type {http.Server | undefined} */
  let server;
  /** @type {import('playwright-core').Browser | undefined} */
  let browser;
  /** @type {import('playwright-core').BrowserContext | undefined} */
  let context;
  /** @type {string[]} */
  let pageErrors = [];
  const bundleFile = path.join(ROOT, `media/gen/${bundle ?? 'webview'}.js`);

  before(async function () {
    if (!fs.existsSync(bundleFile)) {
      throw new Error(`${path.relative(ROOT, bundleFile)} is missing: run \`node esbuild.js\` first`);
    }
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer();
    browser = await launchChromium();
  });

  after(async function () {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });

  afterEach(async function () {
    const pages = context ? context.pages() : [];
    const checks = pages.length
      ? await pages[0].evaluate(() => ({ violations: window.__cspViolations, pwned: window.__pwned }))
      : { violations: [], pwned: undefined };
    await context?.close();
    context = undefined;
    const errors = pageErrors;
    pageErrors = [];
    assert.deepEqual(errors, [], 'page errors');
    assert.deepEqual(checks.violations, [], 'CSP violations');
    assert.equal(checks.pwned, undefined, 'no injected script ran');
  });

  /**
   * @param {string} [query] harness parameters, e.g. `?theme=hc`
   * @param {{ width: number, height: number }} [viewport]
   */
  async function openPanel(query = '', viewport = defaultViewport) {
    const address = /** @type {import('node:net').AddressInfo} */ (server?.address());
    context = await /** @type {import('playwright-core').Browser} */ (browser).newContext({
      viewport,
      reducedMotion: 'reduce',
    });
    const page = await context.newPage();
    pageErrors = [];
    page.on('pageerror', (/** @type {Error} */ e) => pageErrors.push(String(e)));
    page.on('console', (/** @type {import('playwright-core').ConsoleMessage} */ m) => {
      if (m.type() === 'error') {
        pageErrors.push(m.text());
      }
    });
    const params = [bundle ? `bundle=${bundle}` : '', query.replace(/^\?/, '')].filter(Boolean).join('&');
    await page.goto(`http://127.0.0.1:${address.port}/test/webview/harness.html${params ? `?${params}` : ''}`);
    await page.waitForFunction((type) => window.__posted.some((m) => m.type === type), ready);
    return page;
  }
  return { openPanel };
}

module.exports = { ROOT, ARTIFACTS, startServer, launchChromium, usePanelHarness };
