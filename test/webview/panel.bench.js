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

const STEPS = (process.env.BENCH_STEPS || '500,2000').split(',').map(Number);
const BATCH = Number(process.env.BENCH_BATCH || 40);
const REPEAT = Number(process.env.BENCH_REPEAT || 2);
const TUNING = { threshold: 7, scoreMethod: 'greedy', tokenBudget: 32768, firstNBaseSteps: 0, target: 'user' };

/** The engine's events of an n-step SpecReason run: every tenth draft rejected and rewritten, math in each step. */
function runEvents(n) {
  /** @type {any[]} */
  const events = [
    { type: 'run-start', runId: 'r', mode: 'specreason', problem: { text: 'p' }, config: {}, startedAt: 0 },
  ];
  /** @type {any[]} */
  const steps = [];
  for (let i = 0; i < n; i++) {
    const rejected = i % 10 === 9;
    const text = rejected
      ? `Step ${i}: redo with $x_{${i}} = ${i}^2$ carefully, since $\\frac{${i}}{2}$ was wrong.`
      : `Step ${i}: since $a_{${i}} = a_{${i - 1}} + 1$, we get ${i}.\n\nThen continue with $\\sqrt{${i}}$.`;
    const draft = rejected ? `Step ${i}: guess $x = ${i}$.` : text;
    const ms = 300 + (i % 13) * 20 + (rejected ? 600 : 0);
    events.push({ type: 'step-start', stepId: i, origin: 'draft' });
    events.push({ type: 'delta', stepId: i, model: 'small', phase: 'draft', text: draft.slice(0, 20) });
    events.push({ type: 'delta', stepId: i, model: 'small', phase: 'draft', text: draft.slice(20) });
    events.push({ type: 'draft-done', stepId: i, text: draft, tokens: 24, ms: ms * 0.4 });
    const score = rejected ? 3 : 8;
    const top = [{ token: String(score), logprob: -0.05 }];
    events.push({
      type: 'score',
      stepId: i,
      score,
      accepted: !rejected,
      threshold: 7,
      method: 'greedy',
      topLogprobs: top,
      ms: 30,
    });
    if (rejected) {
      events.push({ type: 'fallback-start', stepId: i });
      events.push({ type: 'delta', stepId: i, model: 'base', phase: 'fallback', text });
    }
    const record = {
      step_id: i,
      step_str: text,
      small_model_step: draft,
      num_output_tokens_small: 24,
      score,
      base_model_step: rejected ? text : null,
      num_output_tokens_base: rejected ? 24 : null,
      final_num_output_tokens: 24,
      justification: String(score),
      score_top_logprobs: top,
      origin: rejected ? 'base-fallback' : 'small',
      timings: { stepMs: ms, startedAt: i * 400, endedAt: i * 400 + ms },
    };
    steps.push(record);
    events.push({ type: 'step-done', record });
  }
  return { events, steps };
}

async function streamOnce(browser, url, n) {
  const { context, page } = await instrumentedPage(browser, url, { width: 1000, readyType: 'webview/ready' });
  const { events, steps } = runEvents(n);
  const messages = [];
  for (let i = 0; i < events.length; i += BATCH) {
    messages.push({ type: 'run/didUpdate', runId: 'r', from: i, events: events.slice(i, i + BATCH) });
  }
  const run = {
    runId: 'r',
    mode: 'specreason',
    status: 'running',
    startedAt: Date.now(),
    threshold: 7,
    scoreMethod: 'greedy',
    steps: [],
  };
  const state = { protocolVersion: 1, kind: 'solve', problem: { text: 'A long run.' }, runs: [run], tuning: TUNING };
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const result = await page.evaluate(
    async ([first, list]) => {
      const w = /** @type {any} */ (window);
      const frame = () => new Promise((resolve) => w.__raf(resolve));
      const send = (data) => window.dispatchEvent(new MessageEvent('message', { data }));
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
  const finished = { ...state, runs: [{ ...run, status: 'running', steps, eventsApplied: events.length }] };
  await browser.startTracing(page, { categories: ['devtools.timeline'] });
  const snapshot = await page.evaluate(async (s) => {
    const w = /** @type {any} */ (window);
    const frame = () => new Promise((resolve) => w.__raf(resolve));
    const unbuiltInView = () =>
      [...document.querySelectorAll('#steps .step.pending')].some((e) => {
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
      const over = r.frames.filter((f) => f > 16).length;
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
