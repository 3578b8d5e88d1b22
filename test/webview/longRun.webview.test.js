// @ts-check
// Browser tests of the reasoning panel on long runs (media/gen/webview.js in headless Chromium): the work a
// batch of events or a snapshot does must not grow with the number of steps. Checked by its structure, never by
// a clock: which elements a batch at step 1,900 touches (a MutationObserver), which steps a snapshot builds,
// and that the browser skips the groups of steps far from the view. The numbers: npm run bench:panel.
// Needs a built bundle: `node esbuild.js`.

const assert = require('node:assert/strict');
const { usePanelHarness } = require('./support');
const { longRunEvents, longRunState, batches, eventsThroughStep } = require('./longRun');

/** @typedef {import('playwright-core').Page} Page */

/** The build margin of src/webview/steps.ts (steps this far off-screen may be built ahead of a scroll). */
const BUILD_MARGIN_PX = 600;
/** A step taller than this in the test's 1000 px wide panel would make the bounds below loose, not wrong. */
const STEP_MAX_PX = 200;

/**
 * How many elements the browser restyled (style recalculations in a Chromium trace).
 * @param {Buffer} trace
 */
function restyledElements(trace) {
  /** @type {{ traceEvents: Array<{ name: string; ph: string; args?: { elementCount?: number } }> }} */
  const { traceEvents } = JSON.parse(trace.toString());
  return traceEvents
    .filter((e) => e.name === 'UpdateLayoutTree' && e.ph === 'X')
    .reduce((n, e) => n + (e.args?.elementCount ?? 0), 0);
}

describe('reasoning panel on long runs (webview, Chromium)', function () {
  this.timeout(180000);
  const { openPanel } = usePanelHarness({ ready: 'webview/ready', viewport: { width: 1000, height: 1000 } });

  /**
   * @param {Page} page
   * @param {unknown[]} messages posted one an animation frame, as the host's batches arrive
   */
  async function post(page, messages) {
    await page.evaluate(async (list) => {
      for (const data of list) {
        window.dispatchEvent(new MessageEvent('message', { data }));
        await new Promise((resolve) => requestAnimationFrame(resolve));
      }
    }, messages);
  }

  /** Until no placeholder is left in view (steps in groups the browser skips are off-screen by definition). */
  async function settled(/** @type {Page} */ page) {
    await page.waitForFunction(
      () =>
        ![...document.querySelectorAll('#steps .step.pending')].some((e) => {
          if (!e.checkVisibility({ contentVisibilityAuto: true })) {
            return false;
          }
          const box = e.getBoundingClientRect();
          return box.bottom > 0 && box.top < window.innerHeight;
        }),
      undefined,
      { timeout: 30000 },
    );
    // Two more frames: a build frame scheduled by the last scroll runs and finds nothing to do.
    await post(page, []);
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
  }

  it('a batch of events at step 1,900 touches the new steps and the steps it builds, none of the others', async function () {
    const page = await openPanel();
    const { events, steps } = longRunEvents(2000);
    const applied = eventsThroughStep(events, 1899);
    await post(page, [
      { type: 'session/snapshot', state: longRunState({ steps: steps.slice(0, 1900), eventsApplied: applied }) },
    ]);
    await settled(page);
    // The panel follows the stream at the bottom of the page.
    assert.ok(
      await page.evaluate(() => window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 32),
      'at the bottom',
    );

    await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      const steps = /** @type {HTMLElement} */ (document.getElementById('steps'));
      const chart = /** @type {SVGSVGElement} */ (document.querySelector('#timeline'));
      w.__existing = new Set([...steps.querySelectorAll('article.step'), ...chart.querySelectorAll('rect.bar')]);
      w.__seen = { added: 0, removed: 0, changedExisting: [], viewBoxes: 0, other: [] };
      w.__observer = new MutationObserver((records) => {
        for (const r of records) {
          const seen = w.__seen;
          if (r.type === 'childList') {
            seen.added += [...r.addedNodes].filter((n) => n instanceof Element && n.matches('article.step')).length;
            seen.removed += [...r.removedNodes].filter((n) => n instanceof Element && n.matches('article.step')).length;
          } else if (r.target === chart && r.attributeName === 'viewBox') {
            seen.viewBoxes++;
          } else if (r.type === 'attributes' && w.__existing.has(r.target)) {
            seen.changedExisting.push(`${/** @type {Element} */ (r.target).tagName} ${r.attributeName}`);
          }
          // An attribute of the list or of a group (a class on the whole list restyles every step), but for the
          // size the last group has until first shown (its inline style).
          if (r.type === 'attributes' && (r.target === steps || r.target.parentElement === steps)) {
            const change = `${/** @type {Element} */ (r.target).className} ${r.attributeName}`;
            const lastGroupSize = r.target === steps.lastElementChild && r.attributeName === 'style';
            if (!lastGroupSize && !(r.target === steps && r.attributeName === 'aria-busy')) {
              seen.other.push(change);
            }
          }
        }
      });
      w.__observer.observe(steps, { subtree: true, childList: true, attributes: true });
      w.__observer.observe(chart, { subtree: true, childList: true, attributes: true });
    });
    // 60 steps in batches of 40 events, one a frame (the host's pace under a fast stream). Traced: how many
    // elements the browser restyles (a count, not a time).
    const browser = /** @type {import('playwright-core').Browser} */ (page.context().browser());
    await browser.startTracing(page, { categories: ['devtools.timeline'] });
    const to = eventsThroughStep(events, 1959);
    await post(page, batches(events, applied, to, 40));
    await settled(page);
    const restyled = restyledElements(await browser.stopTracing());
    const seen = await page.evaluate(() => {
      const w = /** @type {any} */ (window);
      w.__observer.disconnect();
      const built = [...document.querySelectorAll('#steps article.step:not(.pending)')];
      const removedExisting = [...w.__existing].filter((e) => e.matches('article.step') && !e.isConnected);
      return {
        ...w.__seen,
        removedExisting: removedExisting.length,
        // The earliest step replaced: a placeholder from before the batch is built only when near the view.
        firstReplaced: Math.min(
          ...removedExisting.map((/** @type {Element} */ e) => Number(e.getAttribute('data-step-id'))),
        ),
        // Elements of the steps built since (each restyled once when built) and of the new placeholders.
        builtElements: [...document.querySelectorAll('#steps article.step')]
          .filter((e) => !w.__existing.has(e))
          .reduce((n, e) => n + 1 + e.querySelectorAll('*').length, 0),
        steps: document.querySelectorAll('#steps article.step').length,
        bars: document.querySelectorAll('#timeline rect.bar').length,
        built: built.length,
      };
    });
    assert.equal(seen.steps, 1960);
    assert.equal(seen.bars, 1960);
    // Nothing already shown changed: no attribute of an existing step or bar, of the list or of its groups.
    assert.deepEqual(seen.changedExisting, []);
    assert.deepEqual(seen.other, []);
    // Articles added: the 60 new steps as placeholders, and those built as they passed through the view (a new
    // article swapped in for its placeholder: at most once each). Removed: only those placeholders.
    assert.ok(seen.added >= 60 && seen.added <= 2 * 60, `articles added: ${seen.added}`);
    assert.equal(seen.removed, seen.added - 60, 'each article removed is a placeholder a built step replaced');
    // Steps at their smallest are about 60 px: the view and the margin above it hold fewer than 30 of them.
    assert.ok(seen.firstReplaced >= 1900 - 30, `the earliest step built: ${seen.firstReplaced}`);
    // The browser restyled what was added: the new steps (each built one once), their bars, the live step and the
    // numbers; not a group of steps per step built (a sibling selector did that), not the list.
    console.log(`      restyled ${restyled} elements; ${seen.builtElements} in the new steps`);
    assert.ok(restyled <= seen.builtElements + 60 * 20, `restyled ${restyled}, built ${seen.builtElements}`);
    // The bar chart's x axis grows in steps of 1/64 of its length: a few rescales for 60 steps at 1,900, not 60.
    assert.ok(seen.viewBoxes <= 3, `viewBox changes: ${seen.viewBoxes}`);
  });

  it('a snapshot of 2,000 steps builds only the steps near the view; the browser skips the groups far from it', async function () {
    const page = await openPanel();
    const { events, steps } = longRunEvents(2000);
    await post(page, [
      { type: 'session/snapshot', state: longRunState({ steps, eventsApplied: events.length, status: 'finished' }) },
    ]);
    await settled(page);
    const seen = await page.evaluate(
      ([margin, tallest]) => {
        const articles = [...document.querySelectorAll('#steps article.step')];
        const built = articles.filter((e) => !e.classList.contains('pending'));
        const groups = [...document.querySelectorAll('#steps > .step-group')];
        return {
          articles: articles.length,
          groups: groups.length,
          built: built.length,
          builtFar: built.filter((e) => {
            const box = e.getBoundingClientRect();
            return box.bottom < -margin - tallest || box.top > window.innerHeight + margin + tallest;
          }).length,
          // A step the browser skips gets no style, layout or paint: every group but the first two (the top of
          // the page, in view or within the margin) is skipped.
          skippedGroups: groups.filter((g) => !g.firstElementChild?.checkVisibility({ contentVisibilityAuto: true }))
            .length,
          groupStyle: getComputedStyle(groups[5]).contentVisibility,
          barChildren: document.querySelectorAll('#timeline rect.bar > *').length,
          bars: document.querySelectorAll('#timeline rect.bar').length,
        };
      },
      [BUILD_MARGIN_PX, STEP_MAX_PX],
    );
    assert.equal(seen.articles, 2000);
    assert.equal(seen.bars, 2000);
    assert.equal(seen.barChildren, 0, 'a bar is one element (its hover text is the chart title)');
    assert.equal(seen.groups, Math.ceil(2000 / 64));
    assert.equal(seen.groupStyle, 'auto');
    assert.ok(seen.built > 0 && seen.built <= 40, `steps built: ${seen.built}`);
    assert.equal(seen.builtFar, 0, 'no step far from the view was built');
    assert.ok(seen.skippedGroups >= seen.groups - 3, `groups skipped: ${seen.skippedGroups} of ${seen.groups}`);

    // The find widget and the keyboard still reach a far step: its text is in the page, and End builds the last.
    assert.equal(await page.$eval('#steps .step[data-step-id="1500"]', (e) => e.textContent), steps[1500].step_str);
    await page.focus('#steps .step[data-step-id="0"]');
    await page.keyboard.press('End');
    // In view once the groups it scrolled past are shown at their real height (a few frames).
    await page.waitForFunction(() => {
      const box = document.activeElement?.getBoundingClientRect();
      return !!box && box.bottom > 0 && box.top < window.innerHeight;
    });
    await settled(page);
    const last = await page.evaluate(() => {
      const step = /** @type {HTMLElement} */ (document.activeElement);
      const box = step.getBoundingClientRect();
      return {
        id: step.dataset.stepId,
        pending: step.classList.contains('pending'),
        math: step.querySelectorAll('.step-text .katex').length,
        inView: box.bottom > 0 && box.top < window.innerHeight,
      };
    });
    assert.deepEqual(last, { id: '1999', pending: false, math: 2, inView: true });
  });

  it('the step-time chart says which bar the pointer is on and goes to its step on a click', async function () {
    const page = await openPanel();
    const { events, steps } = longRunEvents(300);
    await post(page, [
      { type: 'session/snapshot', state: longRunState({ steps, eventsApplied: events.length, status: 'finished' }) },
    ]);
    await settled(page);
    const box = /** @type {{ x: number; y: number; width: number; height: number }} */ (
      await page.locator('#timeline').boundingBox()
    );
    // 300 steps: the x axis has 300 slots (300 is a multiple of 300 / 64 rounded down); the middle of slot 150.
    const x = box.x + ((150 + 0.5) / 300) * box.width;
    await page.mouse.move(x, box.y + box.height - 2);
    assert.equal(
      await page.textContent('#timeline > title'),
      'Step 151 · small · accepted · 440 ms (click: go to the step)',
    );
    await page.mouse.click(x, box.y + box.height - 2);
    await page.waitForFunction(() => /** @type {HTMLElement} */ (document.activeElement)?.dataset.stepId === '150');
    assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('pending')), false);
  });
});
