// @ts-check
// Benchmark, not a test (it prints numbers and asserts none): the reasoning panel (media/gen/webview.js) in
// headless Chromium with a long run streaming in (500 and 2,000 steps, the host's batches of events, one message
// a frame), then the same run in one snapshot (a reopened panel). Per frame it times the panel's whole update:
// its animation-frame callback plus the style and layout that callback caused (forced inside the measurement),
// as wall time and as main-thread CPU time from a Chromium trace (on a busy machine the wall time also counts
// the time other processes had the CPU). Same measurement as bench:evalpanel. The snapshot counts every frame until
// the steps in view are built (off-screen steps are built when they come near the view).
// Run: npm run bench:panel   (env: BENCH_STEPS=500,2000, BENCH_BATCH=40, BENCH_REPEAT=2)

const { cpuPerFrame, stats, ms, instrumentedPage, runBenchmark } = require('./frameTiming');
const { longRunEvents, longRunState, batches } = require('./longRun');

const STEPS = (process.env.BENCH_STEPS || '500,2000').split(',').map(Number);
const BATCH = Number(process.env.BENCH_BATCH || 40);
const REPEAT = Number(process.env.BENCH_REPEAT || 2);

/** @param {import('playwright-core').Browser} browser @param {string} url @param {number} n */
async function streamOnce(browser, url, n) {
  const { context, page } = await instrumentedPage(browser, url, { width: 1000, readyType: 'webview/ready' });
  const { events, steps } = longRunEvents(n);
  const messages = batches(events, 0, events.length, BATCH);
  const state = longRunState();
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
      const started = performance.now();
      for (const data of list) {
        send(data);
        await frame();
      }
      return { frames: w.__frames, ids: w.__ids, wall: performance.now() - started };
    },
    /** @type {[object, object[]]} */ ([{ type: 'session/snapshot', state }, messages]),
  );
  const cpu = cpuPerFrame(await browser.stopTracing(), result.ids);
  const shown = await page.$$eval('#steps .step', (x) => x.length);
  if (shown !== n) {
    throw new Error(`the panel shows ${shown} steps, not ${n}`);
  }
  // The same run in one snapshot: a panel reopened, or reloaded, on a long run. Steps are built as they come
  // into view, so it counts every frame until the steps in view are built (one frame when all are built at once).
  const finished = longRunState({ steps, eventsApplied: events.length });
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const snapshot = await page.evaluate(async (s) => {
    const w = /** @type {any} */ (window);
    const frame = () => new Promise((resolve) => w.__raf(resolve));
    // Steps in a group the browser skips (off-screen) are not in view: not asked for their box, which would
    // lay the group out.
    const unbuiltInView = () =>
      [...document.querySelectorAll('#steps .step.pending')].some((e) => {
        if (!e.checkVisibility({ contentVisibilityAuto: true })) {
          return false;
        }
        const box = e.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      });
    w.__frames = [];
    w.__ids = [];
    const started = performance.now();
    window.dispatchEvent(new MessageEvent('message', { data: { type: 'session/snapshot', state: s } }));
    await frame();
    for (let i = 0; i < 50 && unbuiltInView(); i++) {
      await frame();
    }
    return { first: w.__frames[0], frames: w.__frames, ids: w.__ids, wall: performance.now() - started };
  }, finished);
  const snapshotCpu = cpuPerFrame(await browser.stopTracing(), snapshot.ids);
  await context.close();
  return { ...result, cpu, snapshot, snapshotCpu, messages: messages.length };
}

runBenchmark(`Reasoning panel, a long run streaming in, ${BATCH} events a message`, '', async (browser, url) => {
  for (const n of STEPS) {
    for (let i = 0; i < REPEAT; i++) {
      const r = await streamOnce(browser, url, n);
      const over = r.frames.filter((/** @type {number} */ f) => f > 16).length;
      console.log(
        `  ${n} steps, ${r.messages} messages: per frame wall ${stats(r.frames)} (${over} over 16 ms); ` +
          `main-thread CPU ${stats(r.cpu)}; wall ${ms(r.wall)} ms`,
      );
      const sum = (/** @type {number[]} */ xs) => xs.reduce((a, b) => a + b, 0);
      console.log(
        `    full snapshot of ${n} steps: first frame ${ms(r.snapshot.first)} ms (CPU ${ms(r.snapshotCpu[0] ?? NaN)} ms); ` +
          `steps in view built after ${r.snapshot.frames.length} frame(s), ${ms(sum(r.snapshot.frames))} ms of frames ` +
          `(CPU ${ms(sum(r.snapshotCpu))} ms), wall ${ms(r.snapshot.wall)} ms`,
      );
    }
  }
});
