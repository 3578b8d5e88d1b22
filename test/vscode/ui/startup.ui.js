// @ts-check
'use strict';
// Start-up in code-server: SpecReason activates on the files where it acts (not at start-up), its activation
// registers lenses, commands and a neutral status item without a server probe, and its body (the engine with its
// HTTP, LLM and data-set libraries, dist/host.js) loads on first use. Also a benchmark, printed and never asserted:
// activation time (VS Code's Running Extensions view), time from opening problem.md to its CodeLens, the extension
// host's memory (RSS) after activation and after the first Solve, and the time of that first Solve.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const LENS = '.codelens-decoration > a';
const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

/** The newest extension host process of this run's code-server (its process group), or undefined. */
function extensionHost() {
  const pgid = fs.readFileSync(path.join(/** @type {string} */ (d.env.runDir), 'pgid'), 'utf8').trim();
  let newest;
  for (const n of fs.readdirSync('/proc').filter((x) => /^\d+$/.test(x))) {
    try {
      const cmd = fs.readFileSync(`/proc/${n}/cmdline`, 'utf8');
      const fields = fs.readFileSync(`/proc/${n}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      // fields after ") ": state(0) ppid(1) pgrp(2) … starttime(19)
      if (fields[2] === pgid && /extensionHost/.test(cmd) && fields[0] !== 'Z') {
        const start = Number(fields[19]);
        if (!newest || start > newest.start) {
          newest = { pid: Number(n), start };
        }
      }
    } catch {
      /* gone */
    }
  }
  return newest?.pid;
}

/** Resident memory of a process in MB. */
function rssMb(/** @type {number | undefined} */ pid) {
  if (!pid) {
    return NaN;
  }
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

describe('Start-up: SpecReason activates on its files, quietly, and loads its engine on first use', function () {
  this.timeout(240000);
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  /** @type {SimPair} */
  let pair;
  /** @type {{ restore(): void } | undefined} */
  let userSettings;

  before(async () => {
    pair = await startSimPair(DEMO_SCENARIO);
    // On disk before the page loads (the Settings editor would load the extension's settings UI only).
    userSettings = d.writeUserSettings({
      'specreason.server.baseUrl': pair.base.baseUrl,
      'specreason.server.smallUrl': pair.small.baseUrl,
      'specreason.server.maxRetries': 0,
    });
    browser = await d.launchBrowser();
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await d.closeAllEditors(page).catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    userSettings?.restore();
    if (pair) {
      await pair.stop();
    }
  });

  /** One round: a fresh page load (a new extension host), problem.md, Running Extensions, the first Solve. */
  async function round() {
    // A new page is a new browser context: no editors or panels restored from the previous round.
    if (page) {
      await page.close();
    }
    page = await d.newPage(browser);
    const statusItem = page.locator('.statusbar-item', { hasText: 'SpecReason' });
    const t0 = Date.now();
    await d.openWorkbench(page, d.env.url, d.env.workspace);
    const workbenchMs = Date.now() - t0;
    await page.waitForTimeout(5000); // what onStartupFinished would have activated by now
    const activeWithoutFile = (await statusItem.count()) > 0;
    const requestsAtStart = pair.base.log.length + pair.small.log.length;

    const t1 = Date.now();
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    await page
      .locator(LENS, { hasText: /Solve$/ })
      .first()
      .waitFor({ timeout: 60000 });
    const lensMs = Date.now() - t1;
    await statusItem.first().waitFor({ timeout: 30000 });
    await page.waitForTimeout(2000); // a start-up probe would have reached the servers by now
    const requestsBeforeUse = pair.base.log.length + pair.small.log.length - requestsAtStart;
    const statusText = (await statusItem.first().textContent())?.trim();
    const warning = await statusItem.first().evaluate((e) => e.classList.contains('warning-kind'));
    const rssActivated = rssMb(extensionHost());

    // VS Code's own activation time of the extension (code loading + activate()).
    await d.runCommand(page, 'Developer: Show Running Extensions');
    const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'SpecReason' }).first();
    await row.waitFor({ timeout: 30000 });
    const rowText = (await row.textContent()) ?? '';
    const activationMs = Number(/(\d+)\s*ms/.exec(rowText)?.[1]);
    await d.closeAllEditors(page);

    // First use: Solve from the lens loads the body, checks the servers and runs.
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    const before = pair.base.log.length + pair.small.log.length;
    const t2 = Date.now();
    const panel = await d.panelOpenedBy(page, () =>
      page
        .locator(LENS, { hasText: /Solve$/ })
        .first()
        .click(),
    );
    const panelMs = Date.now() - t2;
    await panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 60000 });
    const solveMs = Date.now() - t2;
    await page.waitForTimeout(1000);
    const rssUsed = rssMb(extensionHost());
    const requestsOfUse = pair.base.log.length + pair.small.log.length - before;
    const answer = await panel.locator('#answer').textContent();
    await d.closeAllEditors(page);
    return {
      workbenchMs,
      activeWithoutFile,
      lensMs,
      activationMs,
      rssActivated,
      requestsBeforeUse,
      statusText,
      warning,
      panelMs,
      solveMs,
      rssUsed,
      requestsOfUse,
      answer,
    };
  }

  it('no activation without a file of its own; on problem.md lenses and a neutral status item, no probe until Solve', async () => {
    /** @type {Array<Awaited<ReturnType<typeof round>>>} */
    const rounds = [];
    for (let i = 0; i < 3; i++) {
      rounds.push(await round());
    }
    /** @typedef {keyof (typeof rounds)[number]} Measure */
    const median = (/** @type {Measure} */ key) => [...rounds.map((r) => Number(r[key]))].sort((a, b) => a - b)[1];
    const all = (/** @type {Measure} */ key) => rounds.map((r) => r[key]).join(' / ');
    const load = fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
    console.log(
      [
        `      start-up benchmark, 3 page loads (median; all), load average ${load} (printed, not asserted):`,
        `        page load → workbench connected       ${median('workbenchMs')} ms   (${all('workbenchMs')})`,
        `        activated with no file open (5 s)     ${all('activeWithoutFile')}`,
        `        open problem.md → Solve lens          ${median('lensMs')} ms   (${all('lensMs')})`,
        `        activation (Running Extensions)       ${median('activationMs')} ms   (${all('activationMs')})`,
        `        extension host RSS after activation   ${median('rssActivated')} MB   (${all('rssActivated')})`,
        `        server requests before first use      ${all('requestsBeforeUse')}`,
        `        status item before first use          "${rounds[0].statusText}"${rounds.some((r) => r.warning) ? ' (warning colour)' : ''}`,
        `        first Solve: lens → panel             ${median('panelMs')} ms   (${all('panelMs')})`,
        `        first Solve: lens → finished          ${median('solveMs')} ms   (${all('solveMs')})`,
        `        extension host RSS after first Solve  ${median('rssUsed')} MB   (${all('rssUsed')})`,
      ].join('\n'),
    );
    for (const r of rounds) {
      assert.equal(r.activeWithoutFile, false, 'not activated by a window without a file of its own');
      assert.equal(r.requestsBeforeUse, 0, 'no server request until SpecReason is used');
      assert.equal(r.warning, false, 'no warning status item before use');
      assert.match(r.statusText ?? '', /SpecReason: threshold \d/);
      assert.ok(r.requestsOfUse > 0, 'the first Solve reached the servers');
      assert.match(r.answer ?? '', /50/);
    }
  });
});
