#!/usr/bin/env node
// @ts-check
'use strict';
// Run an extension-host test suite (mocha runner module with `run(): Promise<void>`)
// inside a running code-server, like @vscode/test-electron's runTests does on desktop.
//
//   node test/vscode/runExtensionTests.js BASE_URL EXT_DEV_DIR TESTS_PATH [FOLDER]
//
// BASE_URL     e.g. http://127.0.0.1:18101 (server started by scripts/code-server.sh)
// EXT_DEV_DIR  extension folder loaded as development extension (shadows an installed copy)
// TESTS_PATH   runner module, e.g. out/test/integration/index.js (required in the remote
//              Node extension host, i.e. on the server's disk)
// FOLDER       optional workspace folder to open
//
// Env: EXT_TEST_TIMEOUT_MS (default 300000) overall timeout -> exit 124.
//      EXT_TEST_VERBOSE=1: also print the workbench's own log lines (socket/gallery noise).
//      ARTIFACTS_DIR: on timeout/crash a screenshot and the page console go there.
// Exit code: the runner's (0 = all passed, 1 = failures or runner crash).
// The payload mechanism needs vscode-remote:// URIs; codeAutomationExit/Log must be
// exposed before page.goto.

const fs = require('fs');
const path = require('path');
const util = require('util');
const driver = require('./driver');

// Workbench log lines that reach codeAutomationLog but say nothing about the tests.
const NOISE = [
  /^Resolving connection token /,
  /^Resolved connection token /,
  /^Creating a socket \(/,
  /^Ignoring fetching additional builtin extensions/,
  /^Updating additional builtin extensions cache/,
  /^\[Service Worker\]/,
  /^ChatSessionStore: /,
];

async function main() {
  const [base, extDir, testsPath, folder] = process.argv.slice(2);
  if (!base || !extDir || !testsPath) {
    console.error('usage: runExtensionTests.js BASE_URL EXT_DEV_DIR TESTS_PATH [FOLDER]');
    return 2;
  }
  const timeoutMs = Number(process.env.EXT_TEST_TIMEOUT_MS || 300000);
  const host = new URL(base).host;
  const remote = (/** @type {string} */ p) => `vscode-remote://${host}${path.resolve(p)}`;
  if (!fs.existsSync(path.resolve(extDir, 'package.json'))) {
    console.error(`warning: no package.json in ${extDir}`);
  }
  const testsAbs = path.resolve(testsPath);
  if (!fs.existsSync(testsAbs) && !fs.existsSync(testsAbs + '.js')) {
    console.error(`runExtensionTests: tests module not found: ${testsAbs}`);
    return 1;
  }

  const t0 = Date.now();
  // One deadline for everything (browser launch, page load, the suite).
  let timer;
  const timedOut = new Promise((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
  const browser = await driver.launchBrowser();
  let code;
  try {
    const page = await driver.newPage(browser);
    const consoleLog = driver.collectConsole(page);
    /** @type {(outcome: number | string) => void} */
    let finish = () => undefined;
    const finished = new Promise((r) => (finish = r));
    let buffered = '';
    // Exposed BEFORE goto, the workbench looks for them at startup.
    await page.exposeFunction('codeAutomationLog', (/** @type {string} */ type, /** @type {unknown} */ args) => {
      const text = util.format(...(Array.isArray(args) ? args : [args]));
      if (!process.env.EXT_TEST_VERBOSE && NOISE.some((re) => re.test(text))) {
        return;
      }
      (type === 'error' ? process.stderr : process.stdout).write(text.endsWith('\n') ? text : text + '\n');
      buffered += text;
    });
    await page.exposeFunction('codeAutomationExit', (/** @type {number | string} */ c) => finish(c));
    page.on('crash', () => finish('crash'));

    const payload = [
      ['extensionDevelopmentPath', remote(extDir)],
      ['extensionTestsPath', remote(testsPath)],
    ];
    const url =
      `${base.replace(/\/$/, '')}/?payload=${encodeURIComponent(JSON.stringify(payload))}` +
      (folder ? `&folder=${encodeURIComponent(path.resolve(folder))}` : '&ew=true');
    console.error(`runExtensionTests: ${testsAbs} (dev ext ${path.resolve(extDir)})`);
    // goto resolves on 'load'; the suite may finish (or the deadline pass) before that
    let settled = false;
    const loaded = page.goto(url, { timeout: 0 }).then(
      () => 'loaded',
      (e) => {
        if (!settled) {
          console.error(`runExtensionTests: ${e.message.split('\n')[0]}`);
        }
        return 'crash';
      },
    );
    let result = await Promise.race([finished, timedOut, loaded]);
    if (result === 'loaded') {
      result = await Promise.race([finished, timedOut]);
    }
    clearTimeout(timer);
    settled = true;
    if (result === 'timeout' || result === 'crash') {
      console.error(
        `runExtensionTests: ${result === 'timeout' ? `timed out after ${timeoutMs} ms` : 'page crashed or failed to load'}` +
          (buffered ? '' : ' (no test output: check that the runner exists and resolves)'),
      );
      const art = process.env.ARTIFACTS_DIR;
      if (art) {
        try {
          console.error(`  screenshot: ${await driver.screenshot(page, path.join(art, 'ext-tests-timeout.png'))}`);
        } catch {
          /* ignore */
        }
        console.error(`  page console: ${consoleLog.save(path.join(art, 'ext-tests-console.log'))}`);
      }
      code = result === 'timeout' ? 124 : 1;
    } else {
      code = Number(result) || 0;
    }
  } finally {
    await browser.close().catch(() => {});
  }
  console.error(`runExtensionTests: exit ${code} after ${Date.now() - t0} ms`);
  return code;
}

main().then(
  (c) => process.exit(c),
  (e) => {
    console.error(e);
    process.exit(99);
  },
);
