// @ts-check
// Benchmark, not a test (it prints numbers and asserts none): the Evaluate panel (media/gen/eval.js) in
// headless Chromium with 2,000 runs streaming in, as the host sends them (batches of finished runs,
// one message a frame), then the same runs in one snapshot and a sort of the table.
// Per frame it times the panel's whole update: its animation-frame callback plus the style and layout
// that callback caused (forced inside the measurement), which is what the 16 ms frame budget is about:
// as wall time, and as the main thread's CPU time from a Chromium trace (on a busy machine the wall time
// also counts the time other processes had the CPU).
// Run: npm run bench:evalpanel   (env: BENCH_RUNS=2000, BENCH_BATCHES=20,1, BENCH_REPEAT=3)

const { cpuPerFrame, stats, ms, instrumentedPage, runBenchmark } = require('./frameTiming');
const { configurations, makeRuns, summarise, form, panelState } = require('./evalFixtures');

const RUNS = Number(process.env.BENCH_RUNS || 2000);
const BATCHES = (process.env.BENCH_BATCHES || '20,1').split(',').map(Number);
const REPEAT = Number(process.env.BENCH_REPEAT || 3);

/**
 * @param {import('playwright-core').Browser} browser
 * @param {string} url
 * @param {number} batch
 */
async function streamOnce(browser, url, batch) {
  const { context, page } = await instrumentedPage(browser, url, { width: 1100, readyType: 'eval/ready' });
  const configs = configurations([3, 5, 7, 9]);
  const ids = Array.from({ length: 100 }, (_, i) => `p${String(i).padStart(3, '0')}`);
  const runs = makeRuns(configs, ids, 4).slice(0, RUNS); // 100 problems × 4 repeats × 6 configurations, in order
  const messages = [];
  for (let i = 0; i < runs.length; i += batch) {
    const done = runs.slice(0, i + batch);
    messages.push({
      type: 'eval/didUpdate',
      runs: runs.slice(i, i + batch),
      configurations: summarise(configs, done),
      progress: { done: done.length, total: runs.length, failed: 0, resumed: 0, startedAt: Date.now() - 1000 },
    });
  }
  const bigForm = form({ modes: ['specreason', 'base', 'small'], thresholds: [3, 5, 7, 9], repeats: 4 });
  const start = panelState({
    dataset: { path: '/ws/big.jsonl', name: 'big.jsonl', problems: ids.length },
    form: bigForm,
    status: 'running',
    outDir: '/ws/.specreason/evals/big',
    progress: { done: 0, total: runs.length, failed: 0, resumed: 0, startedAt: Date.now() },
  });
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const result = await page.evaluate(
    async ([first, list]) => {
      const w = /** @type {any} */ (window);
      const frame = () => new Promise((resolve) => w.__raf(resolve));
      const send = (/** @type {unknown} */ data) => window.dispatchEvent(new MessageEvent('message', { data }));
      send(first);
      await frame();
      await frame();
      w.__frames = [];
      w.__ids = [];
      let handling = 0;
      const started = performance.now();
      for (const data of list) {
        const t = performance.now();
        send(data);
        handling += performance.now() - t;
        await frame(); // the panel's frame callback was requested first, so it has run when ours does
      }
      return { frames: w.__frames, ids: w.__ids, handling, wall: performance.now() - started };
    },
    /** @type {[object, object[]]} */ ([{ type: 'eval/snapshot', state: start }, messages]),
  );
  const cpu = cpuPerFrame(await browser.stopTracing(), result.ids);
  const marks = await page.$$eval('#eval-grid button.mark', (n) => n.length);
  if (marks !== runs.length) {
    throw new Error(`the grid shows ${marks} runs, not ${runs.length}`);
  }
  // The same runs in one snapshot (a reopened panel), then a sort of the table with them all in.
  const finished = panelState({
    form: bigForm,
    status: 'finished',
    configurations: summarise(configs, runs),
    runs,
  });
  const once = await page.evaluate(async (state) => {
    const w = /** @type {any} */ (window);
    w.__frames = [];
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'eval/snapshot', state } }));
    await new Promise((resolve) => w.__raf(resolve));
    const snapshot = w.__frames[0];
    const t = performance.now();
    /** @type {HTMLElement} */ (document.querySelector('#eval-table th[data-col="mean"] button')).click();
    document.documentElement.getBoundingClientRect();
    return { snapshot, sort: performance.now() - t };
  }, finished);
  await context.close();
  return { ...result, ...once, cpu, messages: messages.length };
}

runBenchmark(`Evaluate panel, ${RUNS} runs streaming in`, '?bundle=eval', async (browser, url) => {
  for (const batch of BATCHES) {
    for (let i = 0; i < REPEAT; i++) {
      const r = await streamOnce(browser, url, batch);
      const over = r.frames.filter((/** @type {number} */ f) => f > 16).length;
      console.log(
        `  ${batch} run${batch === 1 ? '' : 's'} a message, ${r.messages} messages, ${r.frames.length} frames: ` +
          `per frame wall ${stats(r.frames)} (${over} over 16 ms); main-thread CPU ${stats(r.cpu)}; ` +
          `message handling ${ms(r.handling)} ms in all; snapshot of ${RUNS} runs ${ms(r.snapshot)} ms; sort ${ms(r.sort)} ms`,
      );
    }
  }
});
