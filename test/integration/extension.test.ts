// Runs inside a real VS Code extension host (code-server here): the real `vscode` API, the packaged
// extension's commands, settings and panels, against the simulated vLLM pair started in this process.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { api, configure, EXTENSION_ID } from './host';
import { EVAL_VIEW_TYPE } from '../../src/host/evalPanel';
import { VIEW_TYPE } from '../../src/host/reasoningPanel';
import { REPORT_SCHEME } from '../../src/host/serverCheck';
import { SAMPLE_SCHEME } from '../../src/host/commands/launcherCommands';
import type { Session } from '../../src/host/sessions';
import { DEMO_PROBLEM, DEMO_SCENARIO, startSimPair, type SimPair } from '../../src/sim/scenarios';

const slow = { prefillMsPerToken: 0, decodeMsPerToken: 15, overlapSlowdown: 0, overheadMs: 0 };

async function pointAt(pair: SimPair): Promise<void> {
  await configure({
    'server.baseUrl': pair.base.baseUrl,
    'server.smallUrl': pair.small.baseUrl,
    'server.requestTimeout': 10,
    'server.maxRetries': 0,
  });
}

const SETTINGS = [
  'server.baseUrl',
  'server.smallUrl',
  'server.requestTimeout',
  'server.maxRetries',
  'threshold',
  'tokenBudget',
  'scoreMethod',
  'firstNBaseSteps',
  'speculation.draftAhead',
  'compare.includeSmall',
  'status.healthRecheck',
];

async function solve(text: string, command = 'specreason.solveSelection'): Promise<Session> {
  const session = await vscode.commands.executeCommand<Session | undefined>(command, text);
  assert.ok(session, `${command} started a session`);
  return session;
}

describe('SpecReason in a real VS Code extension host', function () {
  this.timeout(60000);
  let pair: SimPair;

  before(async () => {
    pair = await startSimPair(DEMO_SCENARIO);
  });
  after(async () => {
    await configure(Object.fromEntries(SETTINGS.map((k) => [k, undefined])));
    await pair.stop();
  });
  beforeEach(async () => {
    await pointAt(pair);
  });
  afterEach(async () => {
    for (const s of (await api()).sessions()) {
      s.panel.dispose();
    }
  });

  it('activates and registers every contributed command, and contributes every registered one', async () => {
    await api();
    const ids = await vscode.commands.getCommands(true);
    const contributed = (
      vscode.extensions.getExtension(EXTENSION_ID)!.packageJSON as {
        contributes: { commands: Array<{ command: string }> };
      }
    ).contributes.commands.map((c) => c.command);
    assert.ok(contributed.length >= 8);
    for (const id of contributed) {
      assert.ok(ids.includes(id), `${id} registered`);
    }
    const registered = ids.filter((id) => id.startsWith('specreason.'));
    for (const id of registered) {
      assert.ok(contributed.includes(id), `${id} is contributed in package.json`);
    }
    // The activation shell registers the contributed commands; the body (loaded on first use) handles them.
    assert.deepEqual([...(await api()).commandIds()].sort(), [...contributed].sort());
  });

  it("the activation shell restores the body's panels and serves its documents (same view types and schemes)", async () => {
    assert.deepEqual((await api()).viewTypes(), {
      reasoning: VIEW_TYPE,
      evaluation: EVAL_VIEW_TYPE,
      documents: [REPORT_SCHEME, SAMPLE_SCHEME],
    });
  });

  it('solves a problem: panel handshake, scripted steps with origins, scores, answer, no CSP violation', async () => {
    const session = await solve(
      'A rectangle has a perimeter of 30 cm and its length is twice its width. What is its area?',
    );
    await session.panel.ready; // the webview loaded its bundle and posted webview/ready; the host answered with a snapshot
    await session.done;
    const [record] = session.records;
    assert.ok(record);
    assert.equal(record.summary.stopReason, 'finished');
    assert.equal(record.summary.answer, '50');
    assert.deepEqual(
      record.steps.map((s) => s.origin),
      ['small', 'small', 'small', 'base-fallback', 'small', 'small', 'small', 'small'],
    );
    assert.equal(record.steps[3]!.score, 2);
    const run = session.panel.state.runs[0]!;
    assert.equal(run.status, 'finished');
    assert.equal(run.steps.length, 8);
    assert.equal(session.panel.state.simulated, true, 'the simulated pair is labelled as such');
    assert.deepEqual(session.panel.cspViolations, []);
    // The base server's /metrics, read before and after the run: the prefix cache served part of the prompts.
    await waitFor(() => session.panel.state.metrics?.prefixCacheHitRate !== undefined);
    assert.ok(session.panel.state.metrics!.prefixCacheHitRate! > 0);
    assert.equal(session.panel.state.metrics!.specDecodeEnabled, false);
    // Saved to history.
    const saved = await (await api()).history.load((await api()).history.list()[0]!.id);
    assert.equal(saved?.records[0]?.summary.answer, '50');
  });

  it('the panel says when the simulated pair has no script for the problem, and not for the sample problem', async () => {
    const other = await solve('What is 17 * 23?');
    await other.done;
    assert.equal(other.panel.state.simulated, true);
    assert.equal(other.panel.state.simulatedWithoutScript, true, "another problem gets the sample problem's steps");
    const sample = await solve(`## Problem\n\n${DEMO_PROBLEM}`);
    await sample.done;
    assert.equal(sample.panel.state.simulated, true);
    assert.equal(sample.panel.state.simulatedWithoutScript, false, 'the sample problem is scripted');
  });

  it('a second solve while one runs opens its own panel; Cancel Run keeps the partial trace', async () => {
    // About 2.4 s a step: on a busy machine the second run must still be going when Cancel Run arrives.
    pair.small.setLatency({ ...slow, decodeMsPerToken: 150 });
    try {
      const first = await solve('first problem');
      const second = await solve('second problem');
      assert.notEqual(first.panel, second.panel);
      await waitFor(() => (second.panel.state.runs[0]?.steps.length ?? 0) >= 2);
      first.controller?.abort();
      await first.done;
      await vscode.commands.executeCommand('specreason.cancelRun'); // the one running session
      await second.done;
      const partial = second.records[0]!;
      assert.equal(partial.summary.stopReason, 'cancelled');
      assert.ok(partial.steps.length >= 2 && partial.steps.length < 8, `kept ${partial.steps.length} steps`);
      assert.equal(second.panel.state.runs[0]!.status, 'cancelled');
      await pair.small.settled();
      assert.equal(pair.small.openRequests().length, 0, 'no orphan request on the server');
    } finally {
      pair.small.setLatency({ prefillMsPerToken: 0, decodeMsPerToken: 0, overlapSlowdown: 0, overheadMs: 0 });
    }
  });

  it('panel tuning writes the real settings, and a re-run uses them (threshold 9 rejects the 8-scored drafts)', async () => {
    const session = await solve('tuning problem');
    await session.done;
    assert.equal(session.records[0]!.summary.rejected, 1);
    session.panel.receive({ type: 'settings/update', key: 'threshold', value: 9 });
    session.panel.receive({ type: 'settings/update', key: 'threshold', value: 12 }); // invalid: refused, not written
    await waitFor(() => vscode.workspace.getConfiguration('specreason').get('threshold') === 9);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(vscode.workspace.getConfiguration('specreason').inspect('threshold')?.globalValue, 9);
    assert.equal(session.panel.state.tuning.threshold, 9, 'the panel was told about the change');
    session.panel.receive({ type: 'run/rerun' });
    await waitFor(() => session.records.length === 1 && session.records[0]!.config.threshold === 9);
    await session.done;
    const rerun = session.records[0]!;
    assert.equal(rerun.summary.rejected, 3, 'steps scored 8 (1 and 5) and 2 (3) are rewritten');
    assert.deepEqual(
      rerun.steps.filter((s) => s.origin === 'base-fallback').map((s) => s.step_id),
      [1, 3, 5],
    );
  });

  it('ignores malformed messages from the webview', async () => {
    const session = await solve('x');
    await session.done;
    for (const bad of [
      null,
      42,
      { type: 'settings/update', key: 'server.baseUrl', value: 'http://evil' },
      { type: 'command/run', command: 'workbench.action.terminal.new' },
      { type: 'nope' },
    ]) {
      session.panel.receive(bad);
    }
    assert.equal(vscode.workspace.getConfiguration('specreason').get('server.baseUrl'), pair.base.baseUrl);
  });

  it('compare runs SpecReason and base-only on the same problem and agrees on the answer', async () => {
    const session = await solve('compare problem', 'specreason.compareWithBase');
    await session.done;
    assert.deepEqual(
      session.records.map((r) => r.mode),
      ['specreason', 'base'],
    );
    assert.deepEqual(
      session.records.map((r) => r.summary.answer),
      ['50', '50'],
    );
    assert.equal(session.panel.state.kind, 'compare');
    assert.equal(session.panel.state.runs.length, 2);
  });

  it('one Solve panel and one Compare panel, reused; a pinned panel is kept; titles name the problem and the answer', async () => {
    const first = await solve('Reuse problem one: a rectangle with a perimeter of 30 cm and more words here');
    await first.done;
    assert.equal(first.panel.title, 'Solve: Reuse problem one: a rectangle… → 50');
    const second = await solve('Reuse problem two');
    assert.equal(second.panel, first.panel, 'the idle Solve panel is reused');
    await second.done;
    assert.equal(second.panel.title, 'Solve: Reuse problem two → 50');
    assert.equal(second.panel.state.runs.length, 1, 'the reused panel shows only the new run');
    const compare = await solve('compare problem', 'specreason.compareWithBase');
    assert.notEqual(compare.panel, first.panel, 'Compare has a panel of its own');
    await compare.done;
    assert.equal(compare.panel.title, 'Compare: compare problem → 50');
    first.panel.receive({ type: 'panel/pin', pinned: true });
    assert.equal(first.panel.state.pinned, true);
    const third = await solve('Reuse problem three');
    assert.notEqual(third.panel, first.panel, 'a pinned panel is not reused');
    await third.done;
    assert.equal(first.problem.text, 'Reuse problem two', 'the pinned panel keeps its problem');
    assert.equal((await api()).sessions().length, 3);
    const again = await solve('compare again', 'specreason.compareWithBase');
    assert.equal(again.panel, compare.panel, 'the Compare panel is reused too');
    await again.done;
  });

  it('a stopped server: the run fails with a clear error, the trace is kept, Check Servers diagnoses it', async () => {
    await pair.small.stop();
    try {
      const session = await solve('server down');
      await session.done;
      const record = session.records[0]!;
      assert.equal(record.summary.stopReason, 'error');
      assert.equal(record.summary.error?.code, 'server_down');
      assert.equal(session.panel.state.runs[0]!.status, 'error');
      const reports =
        await vscode.commands.executeCommand<Array<{ role: string; problem?: string }>>('specreason.checkServers');
      assert.equal(reports.find((r) => r.role === 'base')?.problem, undefined);
      assert.match(
        reports.find((r) => r.role === 'small')!.problem!,
        /^nothing listens on 127\.0\.0\.1:\d+ — start vLLM with: vllm serve deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B --port \d+/,
      );
    } finally {
      await pair.small.start();
    }
  });

  it('while a panel is in view, the status health follows a server that goes away and comes back, with no run', async () => {
    await configure({ 'status.healthRecheck': 1 });
    const extension = await api();
    const session = await solve(DEMO_PROBLEM);
    await session.done;
    assert.ok(session.panel.visible, 'the panel is in view');
    await waitFor(() => extension.health() === 'ok', 30000);
    await pair.small.stop();
    try {
      await waitFor(() => extension.health() === 'down', 30000);
      assert.equal(session.panel.running, false, 'no run was needed to notice');
    } finally {
      await pair.small.start();
    }
    await waitFor(() => extension.health() === 'ok', 30000);
  });

  it('refuses an invalid setting with a message naming it, and an empty problem', async () => {
    await configure({ tokenBudget: 0 });
    try {
      assert.equal(await vscode.commands.executeCommand('specreason.solveSelection', 'x'), undefined);
      assert.equal(await vscode.commands.executeCommand('specreason.solveSelection', '   '), undefined);
    } finally {
      await configure({ tokenBudget: undefined });
    }
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for a condition');
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}
