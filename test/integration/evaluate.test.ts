// The Evaluate panel in a real VS Code extension host: opening a problem set and an evaluation's
// folder, the panel handshake, a run of the grid opened in the reasoning panel, "Use this threshold",
// and the webview's malformed messages refused.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SpecReasonApi } from '../../src/extension';
import type { EvalPanel } from '../../src/host/evalPanel';
import type { Session } from '../../src/host/sessions';
import { demoSetScripts } from '../../src/sim/evalDemo';
import { DEMO_SCENARIO, startSimPair, type SimPair } from '../../src/sim/scenarios';

const EXTENSION_ID = 'specreason.specreason';
const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/eval');
const DEMO_SET = path.resolve(__dirname, '../../../examples/demo-set.jsonl');

async function api(): Promise<SpecReasonApi> {
  const extension = vscode.extensions.getExtension<SpecReasonApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

const setting = (key: string) => vscode.workspace.getConfiguration('specreason').inspect(key)?.globalValue;

async function waitFor(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for a condition');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('Evaluate panel in a real VS Code extension host', function () {
  this.timeout(60000);
  let pair: SimPair;

  before(async () => {
    pair = await startSimPair(DEMO_SCENARIO);
    const c = vscode.workspace.getConfiguration('specreason');
    await c.update('server.baseUrl', pair.base.baseUrl, vscode.ConfigurationTarget.Global);
    await c.update('server.smallUrl', pair.small.baseUrl, vscode.ConfigurationTarget.Global);
    await c.update('server.maxRetries', 0, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    const c = vscode.workspace.getConfiguration('specreason');
    for (const key of ['server.baseUrl', 'server.smallUrl', 'server.maxRetries', 'threshold']) {
      await c.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    await pair.stop();
  });
  afterEach(async () => {
    const a = await api();
    for (const panel of a.evaluations.panels) {
      panel.dispose();
    }
    for (const s of a.sessions()) {
      s.panel.dispose();
    }
  });

  it('opens a problem set: the panel shows it with its problem count, and refuses malformed messages', async () => {
    const panel = await vscode.commands.executeCommand<EvalPanel>(
      'specreason.evaluateProblemSet',
      vscode.Uri.file(path.join(FIXTURES, 'aime.jsonl')),
    );
    assert.ok(panel, 'a panel opened');
    await panel.ready;
    assert.equal(panel.state.dataset?.name, 'aime.jsonl');
    assert.equal(panel.state.dataset?.problems, 3);
    assert.equal(panel.state.status, 'idle');
    const before = setting('threshold');
    for (const bad of [
      null,
      { type: 'eval/useThreshold', threshold: '9', target: 'user' },
      { type: 'eval/useThreshold', threshold: 9, target: 'machine' },
      { type: 'eval/command', command: 'workbench.action.terminal.new' },
      { type: 'eval/start', form: { modes: ['turbo'] } },
    ]) {
      panel.receive(bad);
    }
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(setting('threshold'), before);
    assert.deepEqual(panel.cspViolations, []);
  });

  it('a problem set that cannot be read gets an error, and no panel', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'specreason-eval-'));
    const bad = path.join(dir, 'broken.jsonl');
    writeFileSync(bad, '{"problem": "1+1", "answer": "2"}\n{not json\n');
    const a = await api();
    const result = await vscode.commands.executeCommand('specreason.evaluateProblemSet', vscode.Uri.file(bad));
    assert.equal(result, undefined);
    assert.equal(a.evaluations.panels.length, 0);
  });

  it('opens an evaluation folder: table rows and grid runs; a run opens in the reasoning panel; Use this threshold writes the setting', async () => {
    // A real run record, from a solve against the simulated pair.
    const session = await vscode.commands.executeCommand<Session>('specreason.solveSelection', 'What is 6 times 7?');
    await session.done;
    const record = session.records[0]!;
    session.panel.dispose();

    const dir = mkdtempSync(path.join(tmpdir(), 'specreason-eval-'));
    const problemId = 'demo/1 <b>';
    const runDir = path.join(dir, 'specreason-t7-greedy', 'demo_1__b_');
    mkdirSync(runDir, { recursive: true });
    const file = path.join('specreason-t7-greedy', 'demo_1__b_', '0.json');
    writeFileSync(
      path.join(dir, file),
      JSON.stringify({ evalFormat: 1, problemId, repeat: 0, gold: '42', grade: { correct: true }, record }),
    );
    const configuration = { mode: 'specreason', threshold: 7, scoreMethod: 'greedy', runs: 1, correct: 1 };
    writeFileSync(
      path.join(dir, 'results.json'),
      JSON.stringify({
        dataset: path.join(FIXTURES, 'aime.jsonl'),
        configurations: [{ ...configuration, accuracy: 1, meanWallMs: record.summary.wallMs }],
        runs: [
          {
            problemId,
            repeat: 0,
            mode: 'specreason',
            threshold: 7,
            scoreMethod: 'greedy',
            answer: record.summary.answer,
            gold: '42',
            correct: true,
            wallMs: record.summary.wallMs,
            stopReason: 'finished',
            file,
          },
        ],
      }),
    );
    const a = await api();
    const panel = await vscode.commands.executeCommand<EvalPanel>('specreason.openEvaluation', vscode.Uri.file(dir));
    await panel.ready;
    assert.equal(panel.state.status, 'finished');
    assert.equal(panel.state.configurations.length, 1);
    assert.equal(panel.state.runs[0]!.problemId, problemId);
    assert.equal(panel.state.outDir, dir);
    assert.ok(
      (await a.evaluations.history()).some((e) => e.outDir === dir),
      'remembered in the history',
    );

    panel.receive({
      type: 'eval/openRun',
      run: { mode: 'specreason', threshold: 7, scoreMethod: 'greedy', problemId, repeat: 0 },
    });
    await waitFor(() => a.sessions().some((s) => s.panel.state.runs[0]?.runId === record.runId));
    const opened = a.sessions().find((s) => s.panel.state.runs[0]?.runId === record.runId)!;
    await opened.panel.ready;
    assert.equal(opened.panel.state.runs[0]!.steps.length, record.steps.length);
    assert.equal(opened.panel.state.runs[0]!.status, 'finished');

    panel.receive({ type: 'eval/useThreshold', threshold: 5, target: 'user' });
    await waitFor(() => setting('threshold') === 5);
    await waitFor(() => panel.state.threshold === 5);
    panel.receive({ type: 'eval/useThreshold', threshold: 12, target: 'user' }); // invalid: refused
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(setting('threshold'), 5);
  });

  it('runs an evaluation of the demo set: live rows, results files, a cancel that keeps runs, and Resume', async () => {
    const demo = await startSimPair(DEMO_SCENARIO, demoSetScripts());
    const c = vscode.workspace.getConfiguration('specreason');
    await c.update('server.baseUrl', demo.base.baseUrl, vscode.ConfigurationTarget.Global);
    await c.update('server.smallUrl', demo.small.baseUrl, vscode.ConfigurationTarget.Global);
    try {
      const panel = await vscode.commands.executeCommand<EvalPanel>(
        'specreason.evaluateProblemSet',
        vscode.Uri.file(DEMO_SET),
      );
      await panel.ready;
      assert.equal(panel.state.dataset?.problems, 12);
      const outDir = mkdtempSync(path.join(tmpdir(), 'specreason-eval-run-'));
      const form = {
        modes: ['specreason', 'base'],
        thresholds: [3, 9],
        scoreMethods: ['greedy'],
        repeats: 1,
        concurrency: 2,
        limit: 4,
        choiceOrder: 'shuffled',
        outDir,
      };
      panel.receive({ type: 'eval/start', form });
      await waitFor(() => panel.state.status === 'running');
      await waitFor(() => panel.state.status !== 'running', 50000);
      assert.equal(panel.state.status, 'finished', panel.state.error);
      assert.equal(panel.state.runs.length, 12, '4 problems × 3 configurations');
      assert.deepEqual(
        panel.state.configurations.map((x) => [x.mode, x.threshold]),
        [
          ['specreason', 3],
          ['specreason', 9],
          ['base', undefined],
        ],
      );
      assert.equal(panel.state.configurations.find((x) => x.mode === 'base')!.speedupVsBase, 1);
      for (const name of ['results.json', 'results.csv', 'results.md']) {
        assert.ok(existsSync(path.join(outDir, name)), `${name} written`);
      }
      const written = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as { runs: unknown[] };
      assert.equal(written.runs.length, 12);

      // After a window reload VS Code hands the serializer a new webview panel and what the webview saved.
      const a = await api();
      const restore = (saved: unknown) => {
        const webviewPanel = vscode.window.createWebviewPanel(
          'specreason.evaluate',
          'restored',
          vscode.ViewColumn.Active,
          {
            enableScripts: true,
          },
        );
        let disposed = false;
        webviewPanel.onDidDispose(() => (disposed = true));
        return { result: a.evaluations.restore(webviewPanel, saved), disposed: () => disposed };
      };
      const restored = await restore({ outDir, datasetPath: DEMO_SET, form }).result;
      assert.ok(restored, 'the panel comes back on its output folder');
      await restored.ready;
      assert.equal(restored.state.status, 'finished');
      assert.equal(restored.state.runs.length, 12);
      assert.equal(restored.state.dataset?.name, 'demo-set.jsonl');
      restored.dispose();
      // A reload in the middle of an evaluation: no results.json yet; rebuilt from the run files, cancelled.
      renameSync(path.join(outDir, 'results.json'), path.join(outDir, 'results.before.json'));
      const interrupted = await restore({ outDir, datasetPath: DEMO_SET }).result;
      assert.ok(interrupted);
      await interrupted.ready;
      assert.equal(interrupted.state.status, 'cancelled');
      assert.equal(interrupted.state.runs.length, 12);
      assert.equal(interrupted.state.dataset?.name, 'demo-set.jsonl');
      assert.ok(existsSync(path.join(outDir, 'results.json')), 'results.json rebuilt');
      interrupted.dispose();
      // Only the problem set is left: the panel opens on it; nothing left: the panel is closed.
      const onSet = await restore({ outDir: path.join(outDir, 'gone'), datasetPath: DEMO_SET }).result;
      assert.equal(onSet?.state.dataset?.problems, 12);
      assert.equal(onSet?.state.status, 'idle');
      onSet?.dispose();
      const nothing = restore({ outDir: path.join(outDir, 'gone'), datasetPath: 42 });
      assert.equal(await nothing.result, undefined);
      assert.ok(nothing.disposed(), 'a panel with nothing to show is closed');

      // A second evaluation, slowed down, cancelled after a few runs: the finished ones stay; Resume completes.
      const slow = { prefillMsPerToken: 0, decodeMsPerToken: 2, overlapSlowdown: 0, overheadMs: 0 };
      demo.base.setLatency(slow);
      demo.small.setLatency(slow);
      const second = mkdtempSync(path.join(tmpdir(), 'specreason-eval-cancel-'));
      panel.receive({ type: 'eval/start', form: { ...form, concurrency: 1, limit: 6, outDir: second } });
      await waitFor(() => (panel.state.progress?.done ?? 0) >= 3 && panel.state.outDir === second, 50000);
      panel.receive({ type: 'eval/cancel' });
      await waitFor(() => panel.state.status === 'cancelled', 30000);
      const kept = panel.state.runs.length;
      assert.ok(kept >= 3 && kept < 18, `kept ${kept} runs`);
      const partial = JSON.parse(readFileSync(path.join(second, 'results.json'), 'utf8')) as { runs: unknown[] };
      assert.equal(partial.runs.length, kept, 'results.json has the finished runs');
      await demo.base.settled();
      await demo.small.settled();
      assert.equal(demo.base.openRequests().length + demo.small.openRequests().length, 0, 'no orphan request');

      demo.base.setLatency({ ...slow, decodeMsPerToken: 0 });
      demo.small.setLatency({ ...slow, decodeMsPerToken: 0 });
      panel.receive({ type: 'eval/resume' });
      await waitFor(() => panel.state.status === 'running');
      await waitFor(() => panel.state.status !== 'running', 50000);
      assert.equal(panel.state.status, 'finished', panel.state.error);
      assert.equal(panel.state.runs.length, 18, '6 problems × 3 configurations');
      assert.equal(panel.state.progress?.resumed, kept, 'the kept runs were not run again');
    } finally {
      await c.update('server.baseUrl', pair.base.baseUrl, vscode.ConfigurationTarget.Global);
      await c.update('server.smallUrl', pair.small.baseUrl, vscode.ConfigurationTarget.Global);
      await demo.stop();
    }
  });

  it('a folder without results.json is refused with a message, and opens no panel', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'specreason-eval-'));
    const a = await api();
    assert.equal(await vscode.commands.executeCommand('specreason.openEvaluation', vscode.Uri.file(dir)), undefined);
    assert.equal(a.evaluations.panels.length, 0);
  });
});
