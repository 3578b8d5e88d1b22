// @ts-check
// Shared by the panel benchmarks (bench:panel, bench:evalpanel): each of a panel's animation frames timed as
// wall time (its callback plus the style and layout it caused) and as main-thread CPU time from a Chromium trace.

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
 *  panel's animation-frame callbacks, from a Chromium trace. */
function cpuPerFrame(trace, ids) {
  const wanted = new Set(ids);
  return JSON.parse(trace.toString())
    .traceEvents.filter((e) => e.name === 'FireAnimationFrame' && e.ph === 'X' && wanted.has(e.args?.data?.id))
    .map((e) => (e.tdur ?? e.dur) / 1000);
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const ms = (x) => x.toFixed(1);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return `p50 ${ms(quantile(sorted, 0.5))} ms, p95 ${ms(quantile(sorted, 0.95))} ms, max ${ms(sorted[sorted.length - 1])} ms`;
}

module.exports = { instrumentFrames, cpuPerFrame, stats, ms };
