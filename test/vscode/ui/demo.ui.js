// @ts-check
'use strict';
// The demo's path through the UI (scripts/demo.sh's settings): Start Servers runs the simulated pair; when it is
// stopped behind the extension's back, the run's error says how to restart it and its "Start Servers" button
// does; Stop Servers leaves no process behind. Start Servers' failures show their recognised cause (the fake
// `vllm` of test/fixtures/fake-vllm, its failure picked by FAKE_VLLM_MODE in the command line). The CodeLens
// setting turns the lenses off and on.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */

const REPO = path.resolve(__dirname, '../../..');
const SIMULATOR = `node "${REPO}/dist/simulated-vllm.js" serve`;
const FAKE_VLLM = `"${REPO}/test/fixtures/fake-vllm/vllm" serve`;
const LENS = '.codelens-decoration > a';
const PROBLEM_LINE = 'A rectangle has a perimeter of 30 cm';

/** Live processes whose command line names `--port <port>` (the servers of that port and their workers). */
function processesOnPort(/** @type {number} */ port) {
  return d.liveProcesses((args) => {
    const i = args.indexOf('--port');
    return args[i + 1] === String(port) || args.some((a) => a.endsWith(`-core-${port}`));
  });
}

describe('The demo in code-server: simulated servers stopped and restarted, launch failures, CodeLens setting', function () {
  this.timeout(240000);
  /** @type {import('playwright-core').Browser} */
  let browser;
  /** @type {import('playwright-core').Page} */
  let page;
  let ports = { base: 0, small: 0 };

  const toast = (/** @type {string | RegExp} */ text) =>
    page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
  const clearNotifications = () => d.clearNotifications(page);

  const closeEditors = () => d.closeAllEditors(page);

  /** Click the Solve lens of problem.md; returns the panel it opened. */
  async function solveFromLens() {
    const lens = page.locator(LENS, { hasText: /^\W*Solve$/ }).first();
    await lens.waitFor({ timeout: 30000 });
    return d.panelOpenedBy(page, () => lens.click());
  }

  /** Write user settings, and Start Servers' launch settings in Remote settings (as scripts/demo.sh does), and load
   * the workbench afresh. */
  async function openWith(/** @type {Record<string, unknown>} */ settings) {
    const file = /** @type {string} */ (d.env.settingsFile);
    /** @param {[string, unknown]} entry */
    const isLaunch = ([k]) => k.startsWith('specreason.launch.');
    const user = Object.fromEntries(Object.entries(settings).filter((e) => !isLaunch(e)));
    const remote = Object.fromEntries(Object.entries(settings).filter(isLaunch));
    fs.writeFileSync(file, JSON.stringify({ ...JSON.parse(originalSettings), ...user }, null, 2));
    fs.mkdirSync(path.dirname(remoteFile()), { recursive: true });
    fs.writeFileSync(remoteFile(), JSON.stringify(remote, null, 2));
    await d.openWorkbench(page, d.env.url, d.env.workspace);
  }
  const remoteFile = () => /** @type {string} */ (d.env.remoteSettingsFile);
  let originalSettings = '{}';

  before(async function () {
    ports = { base: await d.freePort(), small: await d.freePort() };
    originalSettings = fs.readFileSync(/** @type {string} */ (d.env.settingsFile), 'utf8');
    browser = await d.launchBrowser();
    page = await d.newPage(browser);
    // As scripts/demo.sh configures it (at zero latency): Start Servers runs the simulated pair.
    await openWith({
      ...urls(),
      'specreason.launch.base.command': SIMULATOR,
      'specreason.launch.small.command': SIMULATOR,
      'specreason.launch.base.extraArgs': '--latency zero --load-seconds 0.2',
      'specreason.launch.small.extraArgs': '--latency zero --load-seconds 0.2',
    });
  });
  const urls = () => ({
    'specreason.server.baseUrl': `http://127.0.0.1:${ports.base}/v1`,
    'specreason.server.smallUrl': `http://127.0.0.1:${ports.small}/v1`,
    'specreason.server.maxRetries': 0,
    'specreason.launch.readyTimeout': 5,
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await d.runCommand(page, 'SpecReason: Stop Servers').catch(() => undefined);
      await d
        .waitUntil(
          () => processesOnPort(ports.base).length + processesOnPort(ports.small).length === 0,
          'the servers stopped',
        )
        .catch(() => undefined);
      await clearNotifications().catch(() => undefined);
      await closeEditors().catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    if (d.env.settingsFile) {
      fs.writeFileSync(d.env.settingsFile, originalSettings); // the next UI file's page reads them afresh
      fs.rmSync(remoteFile(), { force: true });
    }
  });

  it('simulated servers stopped behind its back: the error says how to restart them, and its button does', async () => {
    await d.runCommand(page, 'SpecReason: Start Servers');
    await toast(/servers ready/).waitFor({ timeout: 60000 });
    await clearNotifications();
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    let panel = await solveFromLens();
    await panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 60000 });

    // Killed as a crash or a stray Ctrl+C would (not through Stop Servers).
    for (const pid of [...processesOnPort(ports.base), ...processesOnPort(ports.small)]) {
      process.kill(pid, 'SIGKILL');
    }
    await d.waitUntil(
      () => processesOnPort(ports.base).length + processesOnPort(ports.small).length === 0,
      'they died',
    );
    await closeEditors();
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    panel = await solveFromLens();
    const error = toast(/is not running/);
    await error.waitFor({ timeout: 60000 });
    assert.match(
      (await error.locator('.notification-list-item-message').textContent()) ?? '',
      /the simulated (base|small) server \(127\.0\.0\.1:\d+\) is not running: SpecReason: Start Servers restarts it/,
    );
    await d.screenshot(page, path.join(d.env.artifacts, 'demo-servers-stopped.png'));
    // The panel tells the same story: the simulated pair is not running, and its own Start Servers restarts it.
    await panel.locator('.error-item').first().waitFor({ timeout: 30000 });
    assert.match(
      (await panel.locator('.error-hint').first().textContent()) ?? '',
      /simulated (base|small) server is not running .*SIMULATED.*Start Servers restarts it/,
    );
    assert.doesNotMatch((await panel.locator('#error').textContent()) ?? '', /vllm serve/);
    assert.equal(await panel.locator('#sim-badge').isVisible(), true, 'the panel says the pair is simulated');
    await panel.locator('.error-actions button', { hasText: 'Start Servers' }).first().click();
    await toast(/servers ready/).waitFor({ timeout: 60000 });
    assert.ok(processesOnPort(ports.base).length > 0 && processesOnPort(ports.small).length > 0, 'both run again');

    await clearNotifications();
    await closeEditors();
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    panel = await solveFromLens();
    await panel
      .locator('#status', { hasText: /finished/i })
      .first()
      .waitFor({ timeout: 60000 });
    assert.match((await panel.locator('#answer').textContent()) ?? '', /50/);
    assert.equal(await panel.locator('#sim-notice').isVisible(), false, 'the sample problem has its script');

    await d.runCommand(page, 'SpecReason: Stop Servers');
    await toast(/stopped the base and small servers/).waitFor({ timeout: 30000 });
    assert.deepEqual(
      [...processesOnPort(ports.base), ...processesOnPort(ports.small)],
      [],
      'Stop Servers leaves no process behind',
    );
    await clearNotifications();
    await closeEditors();
  });

  it('Stop Servers stops a pair recorded by scripts/demo.sh and names it; a server it did not start is left running and named', async () => {
    const { spawn } = require('node:child_process');
    const os = require('node:os');
    const registry = path.join(os.tmpdir(), `specreason-servers-${os.userInfo().uid}`);
    /** A simulated server in its own process group, as scripts/demo.sh starts it. */
    const serve = (/** @type {string} */ model, /** @type {number} */ port) => {
      const child = spawn(
        'node',
        [`${REPO}/dist/simulated-vllm.js`, 'serve', model, '--port', String(port), '--latency', 'zero'],
        {
          detached: true,
          stdio: 'ignore',
        },
      );
      child.unref();
      return /** @type {number} */ (child.pid);
    };
    const basePgid = serve('Qwen/QwQ-32B', ports.base);
    const smallPid = serve('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B', ports.small);
    try {
      fs.mkdirSync(registry, { recursive: true });
      fs.writeFileSync(
        path.join(registry, `${ports.base}.json`),
        JSON.stringify({
          pgid: basePgid,
          role: 'base',
          port: ports.base,
          command: 'simulated',
          startedBy: 'scripts/demo.sh',
          startedAt: new Date().toISOString(),
        }),
      );
      await d.waitUntil(
        () => processesOnPort(ports.small).length > 0 && processesOnPort(ports.base).length > 0,
        'both run',
      );
      await new Promise((r) => setTimeout(r, 1000)); // listening
      await d.runCommand(page, 'SpecReason: Stop Servers');
      const done = toast(/stopped the base server/);
      await done.waitFor({ timeout: 30000 });
      const text = (await done.locator('.notification-list-item-message').textContent()) ?? '';
      console.log(`      ${text}`);
      assert.match(text, /the base server was started by scripts\/demo\.sh/);
      assert.match(
        text,
        new RegExp(
          `Not stopped: the small server on port ${ports.small} was not started by SpecReason \\(pid ${smallPid}: .*simulated-vllm`,
        ),
      );
      await d.waitUntil(() => processesOnPort(ports.base).length === 0, 'the recorded base server stopped');
      assert.ok(processesOnPort(ports.small).length > 0, 'the small server SpecReason did not start still runs');
      assert.equal(fs.existsSync(path.join(registry, `${ports.base}.json`)), false, 'its record is gone');
      await clearNotifications();
    } finally {
      for (const pid of [basePgid, smallPid]) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      fs.rmSync(path.join(registry, `${ports.base}.json`), { force: true });
    }
  });

  /** @type {Array<[name: string, command: string, cause: RegExp]>} what the fake vLLM does, its command, the cause shown */
  const failures = [
    ['exits at once', `FAKE_VLLM_MODE=exit ${FAKE_VLLM}`, /exited with code 3/],
    ['prints a CUDA OOM line', `FAKE_VLLM_MODE=oom ${FAKE_VLLM}`, /CUDA out of memory/],
    [
      'never becomes healthy',
      `FAKE_VLLM_MODE=hang ${FAKE_VLLM}`,
      /did not answer \/health and \/v1\/models within 5 s/,
    ],
    ['is not installed', 'vllm-not-installed serve', /command was not found/],
    ['finds its port taken', SIMULATOR, /port \d+ is in use/],
  ];
  it('each failure of Start Servers shows its recognised cause, with a button to the log', async () => {
    // The base command is read from a file per failure (one settings load for all of them).
    const commandFile = path.join(/** @type {string} */ (d.env.runDir), 'demo-ui-base-command');
    fs.writeFileSync(commandFile, SIMULATOR);
    await openWith({
      ...urls(),
      'specreason.launch.base.command': `eval "$(cat '${commandFile}')"`,
      'specreason.launch.small.command': SIMULATOR,
      'specreason.launch.small.extraArgs': '--latency zero --load-seconds 0.2',
    });
    for (const [name, command, cause] of failures) {
      fs.writeFileSync(commandFile, command);
      const squatter =
        name === 'finds its port taken'
          ? http.createServer((_q, res) => res.writeHead(404).end('not vllm'))
          : undefined;
      if (squatter) {
        await new Promise((r) => squatter.listen(ports.base, '127.0.0.1', () => r(undefined)));
      }
      try {
        await d.runCommand(page, 'SpecReason: Start Servers');
        const error = toast(/the base server did not start/);
        await error.waitFor({ timeout: 60000 });
        const message = await error.locator('.notification-list-item-message').textContent();
        console.log(`      ${name}: ${message}`);
        assert.match(message ?? '', cause, name);
        assert.equal(await error.locator('.monaco-button', { hasText: 'Show Server Log' }).count(), 1);
        await clearNotifications();
      } finally {
        if (squatter) {
          await new Promise((r) => squatter.close(r));
        }
      }
      assert.deepEqual(processesOnPort(ports.base), [], `${name}: no base server process is left`);
    }
    await d.runCommand(page, 'SpecReason: Stop Servers');
    await d.waitUntil(() => processesOnPort(ports.small).length === 0, 'the small server stopped');
    await clearNotifications();
  });

  it('the CodeLens setting turns the lenses off and on again', async () => {
    await closeEditors();
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    const lenses = page.locator(LENS, { hasText: /Solve$/ });
    await lenses.first().waitFor({ timeout: 30000 });
    await d.openSettingsAndSet(page, 'specreason.codeLens.enabled', false, { close: true });
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    await d.waitUntil(async () => (await lenses.count()) === 0, 'the lenses are gone');
    await page.waitForTimeout(1500); // and they stay gone (a later refresh of the lenses does not bring them back)
    assert.equal(await lenses.count(), 0);
    // true is the default: VS Code removes the entry from settings.json instead of writing it
    await d.openSettingsAndSet(page, 'specreason.codeLens.enabled', true, { close: true, settingsFile: '' });
    await d.openFile(page, 'problem.md', PROBLEM_LINE);
    await lenses.first().waitFor({ timeout: 30000 });
    assert.equal(await lenses.count(), 1);
    await closeEditors();
  });
});
