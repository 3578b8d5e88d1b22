// @ts-check
'use strict';
// Playwright helpers for driving code-server (VS Code 1.100.3 web workbench) in tests.
// Plain CommonJS, no build step. Selectors were checked against code-server 4.100.3.
//
// Typical use in a mocha UI test (test/vscode/ui/*.ui.js):
//   const d = require('../driver');
//   const browser = await d.launchBrowser();
//   const page = await d.newPage(browser);
//   const csp = d.watchCspViolations(page);            // before openWorkbench
//   await d.openWorkbench(page, d.env.url, d.env.workspace);
//   await d.openFile(page, 'problem.md', '6 times 7');
//   const before = await d.countWebviews(page);
//   await d.runCommand(page, 'SpecReason: Solve');
//   await d.webviewFrame(page, before).locator('#answer').waitFor();
//   csp.assertNoCspViolations();
//
// Env (set by test/vscode/run-vscode-tests.sh): CODE_SERVER_URL, WORKSPACE_DIR,
// RUN_DIR, ARTIFACTS_DIR. CHROMIUM_PATH overrides /usr/bin/chromium.

const fs = require('fs');
const http = require('http');
const path = require('path');
const { chromium } = require('playwright-core');

/** @typedef {import('./types').Browser} Browser */
/** @typedef {import('./types').Page} Page */
/** @typedef {import('./types').CspViolation} CspViolation */
/** @typedef {import('./types').CspCheck} CspCheck */
/** @typedef {import('./types').SimPair} SimPair */
/** @typedef {import('./types').WaitOptions} WaitOptions */
/** @typedef {import('./types').CspWatcher} CspWatcher */

/**
 * A variable run-vscode-tests.sh sets: its value, or a clear error when a UI file runs outside the rig.
 * @param {string} name
 */
function rigVariable(name) {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run the UI tests through test/vscode/run-vscode-tests.sh`);
  }
  return value;
}

const env = {
  /** The code-server's URL. */
  get url() {
    return rigVariable('CODE_SERVER_URL');
  },
  /** The folder the workbench opens. */
  get workspace() {
    return rigVariable('WORKSPACE_DIR');
  },
  /** The code-server's run folder (its user data under ud/). */
  get runDir() {
    return rigVariable('RUN_DIR');
  },
  artifacts: process.env.ARTIFACTS_DIR || path.resolve(__dirname, '../../test-artifacts'),
  /** User settings file of the running server (written by the Settings UI). */
  get settingsFile() {
    return path.join(this.runDir, 'ud', 'User', 'settings.json');
  },
  /** Remote settings file of the running server (the Settings editor's "Remote" tab: a browser window of
   * code-server is a remote window, as Remote-SSH is). */
  get remoteSettingsFile() {
    return path.join(this.runDir, 'ud', 'Machine', 'settings.json');
  },
};

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const SEL = {
  workbench: '.monaco-workbench',
  explorerRow: '.explorer-folders-view .monaco-list-row',
  quickInput: '.quick-input-widget input.input',
  quickRow: '.quick-input-list .monaco-list-row',
  editorLine: '.editor-instance .monaco-editor .view-line',
  webview: 'iframe.webview',
  settingsSearch: '.settings-editor .search-container textarea',
  settingsRow: '.settings-editor .settings-tree-container .setting-item-contents',
};

/**
 * playwright-core chromium (Debian's /usr/bin/chromium, new headless, no xvfb).
 * @param {import('playwright-core').LaunchOptions} [opts]
 */
function launchBrowser(opts = {}) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    ...opts,
    args: [...CHROMIUM_ARGS, ...(opts.args || [])],
  });
}

/**
 * A page with a workbench-sized viewport.
 * @param {Browser} browser
 * @param {import('playwright-core').BrowserContextOptions} [opts]
 */
function newPage(browser, opts = {}) {
  return browser.newPage({ viewport: { width: 1400, height: 900 }, ...opts });
}

/**
 * @param {string | Record<string, unknown>} extra
 */
function queryString(extra) {
  if (!extra) {
    return '';
  }
  if (typeof extra === 'string') {
    return extra.startsWith('&') ? extra : '&' + extra;
  }
  return Object.entries(extra)
    .map(([k, v]) => `&${encodeURIComponent(k)}=${encodeURIComponent(typeof v === 'string' ? v : JSON.stringify(v))}`)
    .join('');
}

/**
 * Load the workbench and wait until it is connected (explorer shows the folder).
 * extraQuery: '&a=b' string or an object ({ payload: [[k, v]] } values are JSON-encoded).
 * @param {Page} page
 * @param {WaitOptions} [opts]
 */
async function openWorkbench(page, base = env.url, folder = env.workspace, extraQuery = '', opts = {}) {
  if (!base) {
    throw new Error('openWorkbench: no base URL (CODE_SERVER_URL)');
  }
  const timeout = opts.timeout || 60000;
  const q = (folder ? `folder=${encodeURIComponent(folder)}` : 'ew=true') + queryString(extraQuery);
  await page.goto(`${base.replace(/\/$/, '')}/?${q}`);
  await page.waitForSelector(SEL.workbench, { timeout });
  if (folder) {
    await page.waitForSelector(SEL.explorerRow, { timeout });
  }
}

/**
 * Ctrl+P quick open; returns the locator of the first editor line containing expectText.
 * @param {Page} page
 * @param {string} name
 * @param {string} [expectText]
 * @param {WaitOptions} [opts]
 */
async function openFile(page, name, expectText, opts = {}) {
  const timeout = opts.timeout || 30000;
  const box = page.locator(SEL.quickInput);
  const row = page.locator(SEL.quickRow, { hasText: name }).first();
  for (let i = 1; ; i++) {
    await page.keyboard.press('Control+P');
    try {
      await box.waitFor({ state: 'visible', timeout: 3000 });
      await box.fill(name);
      await row.waitFor({ timeout: 5000 });
      await page.keyboard.press('Enter');
      break;
    } catch (e) {
      if (i >= 5) {
        throw e;
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
  const line =
    expectText === undefined
      ? page.locator(SEL.editorLine).first()
      : page.locator(SEL.editorLine, { hasText: expectText }).first();
  await line.waitFor({ timeout });
  return line;
}

/**
 * Choose the quick-pick row containing text: Enter when it is the focused row (a hover left over from the mouse
 * can cover the list and swallow a click on a busy machine), else a click.
 * @param {Page} page
 * @param {string} text
 * @param {WaitOptions} [opts]
 */
async function chooseQuickRow(page, text, opts = {}) {
  const row = page.locator(SEL.quickRow, { hasText: text }).first();
  await row.waitFor({ timeout: opts.timeout || 30000 });
  if (/\bfocused\b/.test((await row.getAttribute('class')) || '')) {
    await page.locator(SEL.quickInput).press('Enter');
  } else {
    await page.mouse.move(0, 0);
    await row.click();
  }
}

/**
 * @param {string} s
 */
const escapeRe = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Run a command from the palette by its full title ("Category: Title").
 * Retries the whole F1 sequence: a contributed command only appears once the
 * extension host has registered it, an open palette does not refresh, and an
 * F1 pressed right after load can be lost. Clicks the row whose label is
 * exactly the title (falls back to the first row containing it).
 * @param {Page} page
 * @param {string} title
 * @param {{ attempts?: number }} [opts]
 */
async function runCommand(page, title, opts = {}) {
  const attempts = opts.attempts || 10;
  const box = page.locator(SEL.quickInput);
  const exact = page
    .locator(SEL.quickRow)
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRe(title)}\\s*$`) }) })
    .first();
  const loose = page.locator(SEL.quickRow, { hasText: title }).first();
  for (let i = 1; ; i++) {
    await page.keyboard.press('F1');
    try {
      await box.waitFor({ state: 'visible', timeout: 2000 });
      await box.fill('>' + title);
      await loose.waitFor({ timeout: 2000 });
      const target = (await exact.count()) ? exact : loose;
      await target.click();
      await box.waitFor({ state: 'hidden', timeout: 5000 }).catch(() => {});
      return;
    } catch (e) {
      if (i >= attempts) {
        throw new Error(
          `runCommand(${JSON.stringify(title)}) failed after ${i} attempts: ${e instanceof Error ? e.message : String(e)}`,
        );
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(500);
    }
  }
}

/**
 * FrameLocator of the content of the index-th webview (creation order in this page).
 * Count webviews BEFORE running the command that opens one and pass that count:
 * nth=-1 is racy when several webviews exist.
 * @param {Page} page
 */
function webviewFrame(page, index = 0) {
  return page.frameLocator(`${SEL.webview} >> nth=${index}`).frameLocator('#active-frame');
}

/**
 * @param {Page} page
 */
function countWebviews(page) {
  return page.locator(SEL.webview).count();
}

/**
 * Wait until every step of a reasoning panel is built. Steps off screen stay placeholders (`.step.pending`: origin
 * and plain text, no score, math or tools) until they come near the view, and a finished run scrolls to its
 * result: bring the list into view first.
 * @param {import('./types').FrameLocator} panel
 */
async function stepsBuilt(panel) {
  await panel.locator('#steps').scrollIntoViewIfNeeded();
  await panel.locator('#steps .step.pending').first().waitFor({ state: 'detached', timeout: 15000 });
}

/**
 * Wait until the index-th webview exists and its body is attached; returns its FrameLocator.
 * @param {Page} page
 * @param {number} index
 * @param {WaitOptions} [opts]
 */
async function waitForWebview(page, index, opts = {}) {
  const fl = webviewFrame(page, index);
  await fl
    .locator(opts.selector || 'body')
    .first()
    .waitFor({ timeout: opts.timeout || 30000 });
  return fl;
}

// ------------------------------------------------------------------ CSP watching

const CSP_BINDING = '__rigCspReport';
// Runs in every frame (init script, and re-injected by polling). The webview host
// fills #active-frame with contentDocument.open()/write(); open() erases all event
// listeners and the inline scripts run synchronously inside write(), so
// Document.prototype.open is wrapped to re-add the listener right after open().
// addEventListener with the same handler is a no-op, so re-running is harmless.
const CSP_INSTALLER = `(() => {
  try {
    if (!window.__rigCspHandler) {
      window.__rigCspHandler = e => {
        const v = { directive: e.effectiveDirective || e.violatedDirective, blockedURI: e.blockedURI,
          documentURI: e.documentURI, sourceFile: e.sourceFile, line: e.lineNumber, sample: e.sample,
          disposition: e.disposition, policy: e.originalPolicy };
        if (typeof window.${CSP_BINDING} === 'function') window.${CSP_BINDING}(v);
        else (window.__rigCspQueue = window.__rigCspQueue || []).push(v);
      };
      const open = Document.prototype.open;
      Document.prototype.open = function (...args) {
        const r = open.apply(this, args);
        try { this.addEventListener('securitypolicyviolation', window.__rigCspHandler, true); } catch (e) { /* ignore */ }
        return r;
      };
    }
    document.addEventListener('securitypolicyviolation', window.__rigCspHandler, true);
  } catch (e) { /* ignore */ }
})()`;

const CSP_CONSOLE_RE = /Content[- ]Security[- ]Policy/i;

/**
 * Collect CSP violations from every frame of the page, webview iframes included:
 *  - `securitypolicyviolation` DOM events (listener injected into all frames and
 *    re-injected when a frame's document is replaced), reported through a binding;
 *  - console errors Chromium prints ("Refused to ... Content Security Policy ...").
 * Call BEFORE openWorkbench/goto. Returns
 *   { violations, assertNoCspViolations(opts), clear(), stop() }.
 * Each violation: { source: 'event'|'console', frameUrl, directive?, blockedURI?,
 *   sample?, disposition?, text?, time }.
 * @param {Page} page
 * @param {{ pollMs?: number }} [opts]
 */
function watchCspViolations(page, opts = {}) {
  /** @type {CspViolation[]} */
  const violations = [];
  const pollMs = opts.pollMs || 250;
  const state = { stopped: false };
  /** @param {Omit<CspViolation, 'time'>} v */
  const push = (v) => {
    if (!state.stopped) {
      violations.push({ time: Date.now(), ...v });
    }
  };

  const ready = (async () => {
    await page.exposeBinding(CSP_BINDING, (source, v) => push({ source: 'event', frameUrl: source.frame.url(), ...v }));
    await page.addInitScript(CSP_INSTALLER);
  })();

  /** @param {import('./types').ConsoleMessage} msg */
  const onConsole = (msg) => {
    const text = msg.text();
    if (!CSP_CONSOLE_RE.test(text) || !/refused|violat/i.test(text)) {
      return;
    }
    const loc = msg.location() || {};
    push({ source: 'console', frameUrl: loc.url, text, disposition: /report only/i.test(text) ? 'report' : 'enforce' });
  };
  page.on('console', onConsole);

  /** @param {import('./types').Frame} frame */
  const inject = async (frame) => {
    try {
      await frame.evaluate(CSP_INSTALLER);
      const queued = await frame.evaluate(
        '(() => { const q = window.__rigCspQueue || []; window.__rigCspQueue = []; return q; })()',
      );
      for (const v of queued) {
        push({ source: 'event', frameUrl: frame.url(), ...v });
      }
    } catch {
      /* frame detached / navigating */
    }
  };
  /** @param {import('./types').Frame} frame */
  const onFrame = (frame) => {
    void inject(frame); // never rejects: a detached frame is skipped
  };
  page.on('framenavigated', onFrame);
  page.on('frameattached', onFrame);
  const timer = setInterval(() => {
    if (!page.isClosed()) {
      page.frames().forEach(onFrame);
    }
  }, pollMs);
  timer.unref();

  const stop = () => {
    state.stopped = true;
    clearInterval(timer);
    page.off('console', onConsole);
    page.off('framenavigated', onFrame);
    page.off('frameattached', onFrame);
  };

  return {
    violations,
    ready,
    clear: () => {
      violations.length = 0;
    },
    stop,
    /**
     * Throw if violations were recorded.
     * opts.includeReportOnly (default false), opts.ignore: RegExp[] matched against
     * JSON of the violation, opts.webviewOnly: only count violations from webview frames.
     */
    assertNoCspViolations: (o = {}) => assertNoCspViolations(violations, o),
  };
}

/**
 * @param {CspViolation} v
 */
function isWebviewViolation(v) {
  const s = `${v.frameUrl || ''} ${v.documentURI || ''} ${v.sourceFile || ''}`;
  return /webview\/browser\/pre\/|vscode-webview:|vscode-resource|fake\.html/.test(s);
}

/**
 * @param {CspViolation[] | { violations: CspViolation[] }} watcherOrList
 * @param {CspCheck} [o]
 */
function assertNoCspViolations(watcherOrList, o = {}) {
  const list = Array.isArray(watcherOrList) ? watcherOrList : watcherOrList.violations;
  const bad = list.filter(
    (v) =>
      (o.includeReportOnly || v.disposition !== 'report') &&
      (!o.webviewOnly || isWebviewViolation(v)) &&
      !(o.ignore || []).some((re) => re.test(JSON.stringify(v))),
  );
  if (bad.length) {
    const lines = bad.map((v) =>
      v.source === 'console'
        ? `  [console] ${v.text} (${v.frameUrl || '?'})`
        : `  [event] ${v.directive} blocked ${v.blockedURI || '?'}${v.sample ? ` sample=${JSON.stringify(v.sample)}` : ''} (${v.documentURI || v.frameUrl})`,
    );
    throw new Error(`${bad.length} CSP violation(s):\n${lines.join('\n')}`);
  }
}

// ------------------------------------------------------------------ settings

/**
 * @param {string} file
 * @returns {Record<string, unknown>}
 */
function readJsonc(file) {
  const txt = fs.readFileSync(file, 'utf8');
  try {
    return JSON.parse(txt);
  } catch {
    /* strip comments / trailing commas */
  }
  return JSON.parse(
    txt.replace(/("(?:\\.|[^"\\])*")|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m, s) => s || '').replace(/,(\s*[}\]])/g, '$1'),
  );
}

/**
 * Change a setting through the Settings UI (User tab), like a user would.
 * Supports string/number inputs, booleans (checkbox) and enums (select).
 * opts.settingsFile (default RUN_DIR/ud/User/settings.json; '' not to wait):
 *   wait until that file holds the new value.
 *   opts.close: close the settings editor afterwards.
 * @param {Page} page
 * @param {string} settingId
 * @param {string | number | boolean} value
 * @param {WaitOptions & { settingsFile?: string, close?: boolean }} [opts]
 */
async function openSettingsAndSet(page, settingId, value, opts = {}) {
  const timeout = opts.timeout || 20000;
  await page.keyboard.press('Control+Comma');
  const search = page.locator(SEL.settingsSearch);
  await search.waitFor({ state: 'visible', timeout });
  await search.fill(settingId);
  // every setting row carries data-key="<setting id>"
  const row = page.locator(`${SEL.settingsRow}[data-key="${settingId}"]`).first();
  await row.waitFor({ timeout });
  await row.scrollIntoViewIfNeeded();
  const deadline = Date.now() + timeout;

  const select = row.locator('select.monaco-select-box, select');
  const checkbox = row.locator('.setting-value-checkbox');
  const input = row
    .locator('input.input, textarea.input, .setting-item-control input, .setting-item-control textarea')
    .first();
  if (await select.count()) {
    await select.first().selectOption(String(value));
  } else if (typeof value === 'boolean' && (await checkbox.count())) {
    const checked = (await checkbox.first().getAttribute('aria-checked')) === 'true';
    if (checked !== value) {
      await checkbox.first().click();
    }
  } else if (await input.count()) {
    await input.fill(String(value));
    await input.press('Enter');
  } else {
    throw new Error(
      `openSettingsAndSet: row for ${settingId} has no editable control (arrays/objects must be edited in settings.json)`,
    );
  }

  const file = opts.settingsFile === undefined ? env.settingsFile : opts.settingsFile;
  if (file) {
    const want = JSON.stringify(value);
    for (;;) {
      let got;
      try {
        got = JSON.stringify(readJsonc(file)[settingId]);
      } catch {
        /* mid-write */
      }
      if (got === want) {
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(`openSettingsAndSet: ${file} has ${settingId}=${got}, want ${want}`);
      }
      await page.waitForTimeout(100);
    }
  }
  if (opts.close) {
    await runCommand(page, 'View: Close Editor');
  }
}

/** The user settings file of the running server, parsed (comments and trailing commas allowed). */
function readUserSettings() {
  return readJsonc(env.settingsFile);
}

/**
 * Wait until the user settings file holds `key` = `value` (written by the Settings UI or the extension).
 * @param {string} key
 * @param {unknown} value
 */
async function waitForSetting(key, value, timeoutMs = 15000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (readUserSettings()[key] === value) {
        return;
      }
    } catch {
      /* being written */
    }
    if (Date.now() > deadline) {
      throw new Error(`settings.json never got ${key} = ${String(value)}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ------------------------------------------------------------------ test set-up

/**
 * A browser and a workbench page on the test folder, with the extension pointed at the simulated `pair` the way
 * a user would (the Settings editor: VS Code ignores settings.json edits made on disk while a window is open)
 * and no retries. opts.csp: watch CSP violations from the first frame on; opts.clipboard: allow the clipboard.
 * @overload
 * @param {SimPair} pair
 * @param {{ csp: true, clipboard?: boolean }} opts
 * @returns {Promise<{ browser: Browser, page: Page, csp: CspWatcher }>}
 */
/**
 * @overload
 * @param {SimPair} pair
 * @param {{ csp?: boolean, clipboard?: boolean }} [opts]
 * @returns {Promise<{ browser: Browser, page: Page, csp: CspWatcher | undefined }>}
 */
/**
 * @param {SimPair} pair
 * @param {{ csp?: boolean, clipboard?: boolean }} [opts]
 */
async function openWorkbenchOnPair(pair, opts = {}) {
  const browser = await launchBrowser();
  const page = await newPage(browser);
  if (opts.clipboard) {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: env.url });
  }
  const csp = opts.csp ? watchCspViolations(page) : undefined;
  if (csp) {
    await csp.ready;
  }
  await openWorkbench(page, env.url, env.workspace);
  await openSettingsAndSet(page, 'specreason.server.baseUrl', pair.base.baseUrl);
  await openSettingsAndSet(page, 'specreason.server.smallUrl', pair.small.baseUrl);
  await openSettingsAndSet(page, 'specreason.server.maxRetries', 0, { close: true });
  return { browser, page, csp };
}

/** Clear all notifications and wait until their toasts are gone: a Clear All still on its way would also
 * @param {Page} page
 * clear the next notification (a failure's toast once vanished 30 ms after it appeared). */
async function clearNotifications(page, timeout = 20000) {
  await runCommand(page, 'Notifications: Clear All Notifications');
  await page.locator('.notifications-toasts .notification-toast:visible').first().waitFor({ state: 'hidden', timeout });
}

/**
 * Close every editor and panel, and wait until the last webview is gone (later panels then start at index 0).
 * @param {Page} page
 */
async function closeAllEditors(page, timeout = 10000) {
  await runCommand(page, 'View: Close All Editors');
  await page
    .locator(SEL.webview)
    .first()
    .waitFor({ state: 'detached', timeout })
    .catch(() => undefined);
}

/**
 * Open `file` and select the whole line holding `text` (the editor wraps it: two Shift+End).
 * @param {Page} page
 * @param {string} file
 * @param {string} text
 */
async function selectLine(page, file, text) {
  const line = await openFile(page, file, text);
  await line.click();
  await page.keyboard.press('Home');
  await page.keyboard.press('Shift+End'); // to the end of the visual line…
  await page.keyboard.press('Shift+End'); // …and then of the logical line
  return line;
}

/**
 * Select the line of `file` holding `text` and run the palette command `title` on it; returns the new panel's frame.
 * Every editor is closed first: one panel at a time, since a hidden webview's iframe is removed, which would shift
 * the panel indices.
 * @param {Page} page
 * @param {string} file
 * @param {string} text
 * @param {string} title
 */
async function runOnLine(page, file, text, title) {
  await closeAllEditors(page);
  await selectLine(page, file, text);
  const before = await countWebviews(page);
  await runCommand(page, title);
  return waitForWebview(page, before, { selector: '#app' });
}

/**
 * Run `action` (e.g. a click on a CodeLens) and return the content frame of the panel it opened, told apart by
 * its iframe's name (indices shift when a hidden webview, e.g. the walkthrough's, goes away).
 * @param {Page} page
 * @param {() => Promise<unknown>} action
 */
async function panelOpenedBy(page, action, timeout = 30000) {
  const names = () => page.locator(SEL.webview).evaluateAll((els) => els.map((e) => e.getAttribute('name')));
  const before = new Set(await names());
  await action();
  const deadline = Date.now() + timeout;
  for (;;) {
    const fresh = (await names()).find((n) => n && !before.has(n));
    if (fresh) {
      const panel = page.frameLocator(`${SEL.webview}[name="${fresh}"]`).frameLocator('#active-frame');
      await panel.locator('#app').first().waitFor({ timeout });
      return panel;
    }
    if (Date.now() > deadline) {
      throw new Error('no panel opened');
    }
    await page.waitForTimeout(200);
  }
}

/**
 * Choose `label` in the Explorer's context menu of the row named `fileName`. The menu ignores a click that comes
 * right after it opened (the right button's own release), so the item is hovered and chosen with Enter; and an
 * Explorer refresh (a run saved into the workspace) can close the menu under the pointer, so it is opened again
 * until the choice lands.
 * @param {Page} page
 * @param {string} fileName
 * @param {string} label
 */
async function explorerMenu(page, fileName, label, attempts = 3) {
  const row = page.locator(SEL.explorerRow, { hasText: fileName }).first();
  const item = page.locator('.context-view .monaco-menu .action-item', { hasText: label }).first();
  for (let attempt = 1; ; attempt++) {
    await row.waitFor({ timeout: 30000 });
    await row.click({ button: 'right' });
    await item.waitFor({ timeout: 10000 });
    await item.hover();
    await page.waitForTimeout(300);
    if (await item.isVisible()) {
      await page.keyboard.press('Enter');
      const closed = await item
        .waitFor({ state: 'hidden', timeout: 5000 })
        .then(() => true)
        .catch(() => false);
      if (closed) {
        return;
      }
    }
    if (attempt >= attempts) {
      throw new Error(`the Explorer menu of ${fileName} did not run "${label}"`);
    }
    await page.keyboard.press('Escape');
  }
}

// ------------------------------------------------------------------ misc

/**
 * Screenshot; a relative path is resolved against ARTIFACTS_DIR. Returns the absolute path.
 * @param {Page} page
 * @param {string} file
 * @param {import('playwright-core').PageScreenshotOptions} [opts]
 */
async function screenshot(page, file, opts = {}) {
  const abs = path.isAbsolute(file) ? file : path.join(env.artifacts, file);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  await page.screenshot({ path: abs, ...opts });
  return abs;
}

/**
 * Record every console line of the page ([Extension Host] lines included).
 * @param {Page} page
 */
function collectConsole(page) {
  /** @type {string[]} */
  const lines = [];
  page.on('console', (m) => lines.push(`[${m.type()}] ${m.text()}`));
  page.on('pageerror', (e) => lines.push(`[pageerror] ${e.message}`));
  return {
    lines,
    save: (/** @type {string} */ file) => {
      const abs = path.isAbsolute(file) ? file : path.join(env.artifacts, file);
      fs.mkdirSync(path.dirname(abs), { recursive: true });
      fs.writeFileSync(abs, lines.join('\n') + '\n');
      return abs;
    },
    waitFor: async (/** @type {RegExp} */ re, timeout = 30000) => {
      const end = Date.now() + timeout;
      while (Date.now() < end) {
        const hit = lines.find((l) => re.test(l));
        if (hit) {
          return hit;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`no console line matching ${re}`);
    },
  };
}

/**
 * mocha helper: in afterEach, screenshot the page when the test failed.
 * @param {Mocha.Context} mochaCtx
 * @param {Page | undefined} page
 */
async function screenshotOnFailure(mochaCtx, page) {
  const t = mochaCtx && mochaCtx.currentTest;
  if (!page || page.isClosed() || !t || t.state !== 'failed') {
    return;
  }
  const name = t
    .fullTitle()
    .replace(/[^\w.-]+/g, '_')
    .slice(0, 120);
  try {
    console.log(`      screenshot: ${await screenshot(page, `failures/${name}.png`)}`);
  } catch {
    /* ignore */
  }
}

/** A port nothing listens on (bound and released). @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve) => {
    const server = http.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Poll `condition` every 200 ms until it holds; fails naming `what` after `timeoutMs`.
 * @param {() => boolean | Promise<boolean>} condition
 * @param {string} what
 */
async function waitUntil(condition, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting until ${what}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Live processes (zombies left out) whose arguments pass `matches`, by pid: the servers a test started or stopped.
 * @param {(args: string[]) => boolean} matches
 */
function liveProcesses(matches) {
  return fs
    .readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const state = fs.readFileSync(`/proc/${n}/stat`, 'utf8').split(') ')[1]?.[0];
        return state !== 'Z' && matches(fs.readFileSync(`/proc/${n}/cmdline`, 'utf8').split('\0'));
      } catch {
        return false; // it exited meanwhile
      }
    })
    .map(Number);
}

/**
 * The running server's user settings, changed on disk before a page loads (the extension reads them when it
 * starts), and `restore()` to put the file back as it was.
 * @param {Record<string, unknown>} settings on top of the file's own
 */
function writeUserSettings(settings) {
  const file = env.settingsFile;
  const original = fs.readFileSync(file, 'utf8');
  fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(original), ...settings }, null, 2));
  return { restore: () => fs.writeFileSync(file, original) };
}

module.exports = {
  env,
  SEL,
  CHROMIUM_ARGS,
  launchBrowser,
  newPage,
  openWorkbench,
  openFile,
  runCommand,
  chooseQuickRow,
  webviewFrame,
  countWebviews,
  waitForWebview,
  stepsBuilt,
  watchCspViolations,
  assertNoCspViolations,
  openSettingsAndSet,
  readUserSettings,
  waitForSetting,
  openWorkbenchOnPair,
  clearNotifications,
  closeAllEditors,
  selectLine,
  runOnLine,
  panelOpenedBy,
  explorerMenu,
  screenshot,
  collectConsole,
  screenshotOnFailure,
  freePort,
  waitUntil,
  liveProcesses,
  writeUserSettings,
};
