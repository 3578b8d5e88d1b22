// @ts-check
// Shared by the panel benchmarks (bench:panel, bench:evalpanel): each of a panel's animation frames timed as
// wall time (its callback plus the style and layout it caused) and as main-thread CPU time from a Chromium trace;
// the harness page they measure, and their frame (server, browser, the machine's cores and load, clean-up).

const os = require('node:os');
const { startServer, launchChromium } = require('./support');

/** @typedef {{ name: string, ph: string, dur: number, tdur?: number, args?: { data?: { id?: number } } }} TraceEvent */

/** Wraps requestAnimationFrame before the panel loads (an init script): each of the panel's frames is timed. */
function instrumentFrames() {
  const raf = window.requestAnimationFrame.bind(window);
  const w = /** @type {any} */ (window);
  w.__raf = raf;
  w.__frames = [];
  w.__ids = [];
  w.requestAnimationFrame = (/** @type {FrameRequestCallback} */ callback) => {
    const id = raf((ts) => {
      const started = performance.now();
      callback(ts);
      document.documentElement.getBoundingClientRect(); // this frame's style and layout, measured here
      w.__frames.push(performance.now() - started);
    });
    w.__ids.push(id);
    return id;
  };
}

/** Main-thread CPU time (thread time, not wall time: other processes' load does not count) of the
 *  panel's animation-frame callbacks, from a Chromium trace.
 * @param {Buffer} trace
 * @param {number[]} ids
 * @returns {number[]}
 */
function cpuPerFrame(trace, ids) {
  const wanted = new Set(ids);
  return JSON.parse(trace.toString())
    .traceEvents.filter(
      (/** @type {TraceEvent} */ e) =>
        e.name === 'FireAnimationFrame' && e.ph === 'X' && wanted.has(e.args?.data?.id ?? -1),
    )
    .map((/** @type {TraceEvent} */ e) => (e.tdur ?? e.dur) / 1000);
}

const quantile = (/** @type {number[]} */ sorted, /** @type {number} */ q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (/** @type {number} */ x) => x.toFixed(1);

/** @param {number[]} values */
function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${ms(quantile(sorted, 0.5))} ms, p95 ${ms(quantile(sorted, 0.95))} ms, max ${ms(sorted[sorted.length - 1])} ms`;
}

/**
 * A fresh harness page with its frames instrumented, once the panel says it is ready (posts `readyType`).
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {{ width: number; readyType: string }} options
 */
async function instrumentedPage(browser, url, { width, readyType }) {
  const context = await browser.newContext({ viewport: { width, height: 1000 }, reducedMotion: 'reduce' });
  await context.addInitScript(instrumentFrames);
  const page = await context.newPage();
  await page.goto(url);
  await page.waitForFunction((type) => window.__posted.some((m) => m.type === type), readyType);
  return { context, page };
}

/**
 * Runs a benchmark: the repository served, headless Chromium, a first line naming what is measured with the
 * machine's cores and load; `measure(browser, url)` prints its numbers; all closed after, exit code 1 on an error.
 * @param {string} what
 * @param {string} query the harness page's query string ('' or '?bundle=eval')
 * @param {(browser: import('playwright-core').Browser, url: string) => Promise<void>} measure
 */
function runBenchmark(what, query, measure) {
  const main = async () => {
    const server = await startServer();
    const address = /** @type {import('node:net').AddressInfo} */ (server.address());
    const browser = await launchChromium();
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    console.log(`${what} (headless Chromium; ${os.cpus().length} cores, load ${load})`);
    try {
      await measure(browser, `http://127.0.0.1:${address.port}/test/webview/harness.html${query}`);
    } finally {
      await browser.close();
      server.close();
    }
  };
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}

module.exports = { instrumentFrames, cpuPerFrame, stats, ms, instrumentedPage, runBenchmark };
