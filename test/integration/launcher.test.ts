// Start Servers / Stop Servers in a real VS Code extension host, with the fake `vllm` of
// test/fixtures/fake-vllm first on the extension host's PATH: it starts the project's simulated server, or
// fails the way vLLM does (FAKE_VLLM_MODE in specreason.launch.<role>.env). The PATH is set here, in the
// extension host, because VS Code's server gives its extension host the login shell's PATH, not the rig's.

import assert from 'node:assert/strict';
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { api, configure, freePort } from './host';
import type { Session } from '../../src/host/sessions';
import type { LaunchOutcome } from '../../src/host/serverLauncher';
import { groupMembers } from '../../src/core/launch/engineStart';
import { DEMO_PROBLEM, DEMO_SCENARIO, startSimPair } from '../../src/sim/scenarios';

const FAKE_VLLM_DIR = path.resolve(__dirname, '../../../test/fixtures/fake-vllm');

const SETTINGS = [
  'server.baseUrl',
  'server.smallUrl',
  'server.requestTimeout',
  'server.maxRetries',
  'launch.readyTimeout',
  'launch.base.env',
  'launch.small.env',
  'launch.base.command',
  'launch.small.command',
];

/** Processes whose command line mentions the fake engine-core worker of a port (the group's grandchild). */
function fakeWorkers(port: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((n) => {
      try {
        const cmd = readFileSync(`/proc/${n}/cmdline`, 'utf8');
        const state = readFileSync(`/proc/${n}/stat`, 'utf8').split(') ')[1]?.[0];
        return cmd.includes(`fake-vllm-engine-core-${port}`) && state !== 'Z';
      } catch {
        return false;
      }
    })
    .map(Number);
}

const start = () => vscode.commands.executeCommand<LaunchOutcome[]>('specreason.startServers');
const stop = () =>
  vscode.commands.executeCommand<{ stopped: string[]; pids: number[]; leftRunning: string[] }>(
    'specreason.stopServers',
  );
const outcome = (list: LaunchOutcome[], role: string) => list.find((o) => o.role === role)!;

describe('Start Servers / Stop Servers (fake vllm on PATH)', function () {
  this.timeout(120000);
  let ports: { base: number; small: number };
  const pathBefore = process.env.PATH;

  before(function () {
    if (process.platform !== 'linux') {
      this.skip();
    }
    process.env.PATH = `${FAKE_VLLM_DIR}${path.delimiter}${pathBefore ?? ''}`;
  });
  beforeEach(async () => {
    ports = { base: await freePort(), small: await freePort() };
    await configure({
      'server.baseUrl': `http://127.0.0.1:${ports.base}/v1`,
      'server.smallUrl': `http://127.0.0.1:${ports.small}/v1`,
      'server.requestTimeout': 10,
      'server.maxRetries': 0,
      'launch.readyTimeout': 20,
    });
  });
  afterEach(async () => {
    await stop();
    for (const s of (await api()).sessions()) {
      s.panel.dispose();
    }
    assert.deepEqual(fakeWorkers(ports.base).concat(fakeWorkers(ports.small)), [], 'no fake vLLM process is left');
  });
  after(async () => {
    process.env.PATH = pathBefore;
    await configure(Object.fromEntries(SETTINGS.map((k) => [k, undefined])));
  });

  it('starts both servers, waits until ready, a solve succeeds, and Stop leaves no process behind', async () => {
    const outcomes = await start();
    assert.deepEqual(
      outcomes.map((o) => [o.role, o.state]),
      [
        ['base', 'started'],
        ['small', 'started'],
      ],
    );
    assert.equal(outcome(outcomes, 'base').servedModel, 'Qwen/QwQ-32B');
    assert.equal(outcome(outcomes, 'small').servedModel, 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B');
    const running = (await api()).launcher.running();
    assert.ok(running.base && running.small);
    assert.ok(fakeWorkers(ports.base).length === 1, 'the fake engine-core worker runs');

    const session = await vscode.commands.executeCommand<Session>('specreason.solveSelection', DEMO_PROBLEM);
    await session.done;
    assert.equal(session.records[0]!.summary.stopReason, 'finished');
    assert.equal(session.records[0]!.summary.answer, '50');

    // A second Start finds both answering and starts nothing new.
    const again = await start();
    assert.deepEqual(
      again.map((o) => o.pid),
      [running.base, running.small],
    );

    const stopped = await stop();
    assert.deepEqual(stopped.stopped.sort(), ['base', 'small']);
    for (const pgid of stopped.pids) {
      assert.deepEqual(groupMembers(pgid), [], `process group ${pgid} is empty`);
    }
    assert.deepEqual(fakeWorkers(ports.base).concat(fakeWorkers(ports.small)), []);
    assert.deepEqual((await api()).launcher.running(), {});
  });

  it('reuses a server already answering on the port, and Stop leaves it running', async () => {
    const pair = await startSimPair(DEMO_SCENARIO, { ports: { base: ports.base } });
    try {
      const outcomes = await start();
      assert.equal(outcome(outcomes, 'base').state, 'reused');
      assert.equal(outcome(outcomes, 'base').pid, undefined);
      assert.equal(outcome(outcomes, 'small').state, 'started');
      const stopped = await stop();
      assert.deepEqual(stopped.stopped, ['small']);
      assert.deepEqual(stopped.leftRunning, ['base'], 'named as a server SpecReason did not start');
      const health = await fetch(`${pair.base.url}/health`);
      assert.equal(health.status, 200, 'the server SpecReason did not start still runs');
    } finally {
      await pair.stop();
    }
  });

  it('the demo setup: Start Servers runs the simulated pair; a killed one is diagnosed as such and restarted', async () => {
    const simulator = `node ${path.resolve(__dirname, '../../../dist/simulated-vllm.js')} serve`;
    await configure({ 'launch.base.command': simulator, 'launch.small.command': simulator });
    try {
      const first = await start();
      assert.deepEqual(
        first.map((o) => o.state),
        ['started', 'started'],
      );
      // Killed behind the extension's back (as when the demo's servers are stopped).
      process.kill(-first[0]!.pid!, 'SIGKILL');
      await waitUntil(() => groupMembers(first[0]!.pid!).length === 0);
      const reports =
        await vscode.commands.executeCommand<Array<{ role: string; problem?: string }>>('specreason.checkServers');
      assert.match(
        reports.find((r) => r.role === 'base')!.problem!,
        /^the simulated base server \(127\.0\.0\.1:\d+\) is not running: SpecReason: Start Servers restarts it$/,
      );
      const again = await start();
      assert.deepEqual(
        again.map((o) => o.state),
        ['started', 'started'],
      );
      assert.notEqual(again[0]!.pid, first[0]!.pid, 'the base server was started again');
      assert.equal(again[1]!.pid, first[1]!.pid, 'the small one was still running');
      const session = await vscode.commands.executeCommand<Session>('specreason.solveSelection', DEMO_PROBLEM);
      await session.done;
      assert.equal(session.records[0]!.summary.answer, '50');
    } finally {
      await configure({ 'launch.base.command': undefined, 'launch.small.command': undefined });
    }
  });

  const failures: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ['exits at once', { 'launch.base.env': { FAKE_VLLM_MODE: 'exit' } }, 'exited', /exited with code 3/],
    ['prints a CUDA OOM line', { 'launch.base.env': { FAKE_VLLM_MODE: 'oom' } }, 'cuda_oom', /CUDA out of memory/],
    [
      'never becomes healthy',
      { 'launch.base.env': { FAKE_VLLM_MODE: 'hang' }, 'launch.readyTimeout': 6 },
      'not_ready',
      /did not answer \/health and \/v1\/models within 6 s and was stopped/,
    ],
    [
      'is not installed (command not found)',
      { 'launch.base.command': 'vllm-not-installed serve' },
      'command_not_found',
      /command was not found/,
    ],
  ];
  for (const [name, settings, cause, message] of failures) {
    it(`a base server that ${name}: the cause is recognised, the small one still starts`, async () => {
      await configure(settings);
      try {
        const outcomes = await start();
        const base = outcome(outcomes, 'base');
        assert.equal(base.state, 'failed');
        assert.equal(base.failure?.cause, cause);
        assert.match(base.failure.message, message);
        assert.equal(outcome(outcomes, 'small').state, 'started');
        if (base.pid !== undefined) {
          assert.deepEqual(groupMembers(base.pid), [], 'a failed server leaves no process');
        }
      } finally {
        await configure(Object.fromEntries(Object.keys(settings).map((k) => [k, undefined])));
      }
    });
  }

  it('a port taken by another program: recognised before anything starts', async () => {
    const squatter = http.createServer((_req, res) => res.writeHead(404).end('not vllm'));
    await new Promise<void>((r) => squatter.listen(ports.base, '127.0.0.1', () => r()));
    try {
      const outcomes = await start();
      const base = outcome(outcomes, 'base');
      assert.equal(base.state, 'failed');
      assert.equal(base.failure?.cause, 'port_in_use');
      assert.match(base.failure.message, new RegExp(`port ${ports.base} is in use`));
      assert.equal(base.pid, undefined, 'nothing was started for it');
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for a condition');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
