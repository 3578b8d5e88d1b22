// The packaged extension against every engine the simulator speaks, in a real VS Code extension host:
// the kind of each role is detected from its URL alone (the settings keep `auto`), and Solve, Compare and
// Check Servers behave as they do on vLLM — the same steps, origins, scores and answer — with the engine
// named in the run record, the panel and the server report.

import assert from 'node:assert/strict';
import path from 'node:path';
import * as vscode from 'vscode';
import { api, configure, freePort } from './host';
import type { ServerReport } from '../../src/host/serverCheck';
import type { LaunchOutcome } from '../../src/host/serverLauncher';
import type { Session } from '../../src/host/sessions';
import { DEMO_PROBLEM, DEMO_SCENARIO, startSimPair } from '../../src/sim/scenarios';
import type { SimDialect } from '../../src/sim/simulatedVllm';

const SIMULATOR = path.resolve(__dirname, '../../../dist/simulated-vllm.js');

/** What the demo scenario gives on vLLM (extension.test.ts holds the vLLM run to it). */
const ORIGINS = ['small', 'small', 'small', 'base-fallback', 'small', 'small', 'small', 'small'];

async function run(text: string, command: string): Promise<Session> {
  const session = await vscode.commands.executeCommand<Session | undefined>(command, text);
  assert.ok(session, `${command} started a session`);
  await session.done;
  return session;
}

const PAIRS: Array<{ base: SimDialect; small: SimDialect }> = [
  { base: 'vllm', small: 'vllm' },
  { base: 'sglang', small: 'sglang' },
  { base: 'llama-server', small: 'llama-server' },
  { base: 'ollama', small: 'ollama' },
  { base: 'openai', small: 'openai' },
  { base: 'sglang', small: 'ollama' },
];

describe('SpecReason on every engine, in a real VS Code extension host', function () {
  this.timeout(90000);

  after(async () => {
    await configure({
      'server.baseUrl': undefined,
      'server.smallUrl': undefined,
      'server.requestTimeout': undefined,
      'server.maxRetries': undefined,
    });
  });
  afterEach(async () => {
    for (const s of (await api()).sessions()) {
      s.panel.dispose();
    }
  });

  for (const dialects of PAIRS) {
    it(`base on ${dialects.base}, small on ${dialects.small}: solve, compare and Check Servers as on vLLM, the engines detected`, async () => {
      const pair = await startSimPair(DEMO_SCENARIO, {
        base: { dialect: dialects.base },
        small: { dialect: dialects.small },
      });
      try {
        await configure({
          'server.baseUrl': pair.base.userUrl,
          'server.smallUrl': pair.small.userUrl,
          'server.requestTimeout': 10,
          'server.maxRetries': 0,
        });
        const solved = await run(DEMO_PROBLEM, 'specreason.solveSelection');
        const [record] = solved.records;
        assert.ok(record);
        assert.equal(record.summary.error, undefined, record.summary.error?.message);
        assert.deepEqual(
          record.steps.map((s) => s.origin),
          ORIGINS,
        );
        assert.equal(record.steps[3]!.score, 2);
        assert.equal(record.summary.answer, '50');
        assert.deepEqual(record.serverKinds, dialects, 'the detected engines, in the run record');
        assert.deepEqual(solved.panel.state.runs[0]!.serverKinds, dialects, '… and in the panel');

        const compared = await run(DEMO_PROBLEM, 'specreason.compareWithBase');
        assert.deepEqual(
          compared.records.map((r) => [r.mode, r.summary.stopReason, r.summary.answer]),
          [
            ['specreason', 'finished', '50'],
            ['base', 'finished', '50'],
          ],
        );
        assert.deepEqual(
          compared.records[0]!.steps.map((s) => s.origin),
          ORIGINS,
        );

        const reports = await vscode.commands.executeCommand<ServerReport[]>('specreason.checkServers');
        assert.deepEqual(
          reports.map((r) => [r.role, r.problem, r.health.kind]),
          [
            ['base', undefined, dialects.base],
            ['small', undefined, dialects.small],
          ],
        );
        for (const r of reports) {
          const failed = r.conformance?.checks.filter((c) => c.status === 'fail') ?? [];
          assert.deepEqual(failed, [], `${r.role}: the conformance probe passes`);
        }
      } finally {
        await pair.stop();
      }
    });
  }

  it('Check Servers refuses a base Ollama that returns no logprobs, with the upgrade as the fix', async () => {
    const pair = await startSimPair(DEMO_SCENARIO, {
      base: { dialect: 'ollama', ollamaVersion: '0.11.4' },
      small: { dialect: 'ollama' },
    });
    try {
      await configure({ 'server.baseUrl': pair.base.userUrl, 'server.smallUrl': pair.small.userUrl });
      const reports = await vscode.commands.executeCommand<ServerReport[]>('specreason.checkServers');
      assert.match(reports[0]!.problem ?? '', /Ollama.*0\.12\.11/);
      assert.equal(reports[1]!.problem, undefined);
    } finally {
      await pair.stop();
    }
  });

  it('Start Servers starts the simulator in place of SGLang and llama-server from the launch settings, and a solve detects both', async function () {
    if (process.platform !== 'linux') {
      this.skip();
    }
    const ports = { base: await freePort(), small: await freePort() };
    // The settings a user of each engine writes: the engine as the kind, its URL, and (here) the simulator as its command.
    const launch = (kind: string) =>
      `${process.execPath} ${SIMULATOR} --dialect ${kind} --latency zero --load-seconds 0.3`;
    await configure({
      'server.baseUrl': `http://127.0.0.1:${ports.base}/v1`,
      'server.smallUrl': `http://127.0.0.1:${ports.small}`,
      'server.baseKind': 'sglang',
      'server.smallKind': 'llama-server',
      'server.requestTimeout': 10,
      'server.maxRetries': 0,
      'launch.readyTimeout': 30,
      'launch.base.command': launch('sglang'),
      'launch.small.command': launch('llama-server'),
    });
    try {
      const outcomes = await vscode.commands.executeCommand<LaunchOutcome[]>('specreason.startServers');
      assert.deepEqual(
        outcomes.map((o) => [o.role, o.state, o.failure?.message]),
        [
          ['base', 'started', undefined],
          ['small', 'started', undefined],
        ],
      );
      const solved = await run(DEMO_PROBLEM, 'specreason.solveSelection');
      const [record] = solved.records;
      assert.equal(record?.summary.answer, '50', record?.summary.error?.message);
      assert.deepEqual(record?.serverKinds, { base: 'sglang', small: 'llama-server' });
    } finally {
      const stopped = await vscode.commands.executeCommand<{ stopped: string[] }>('specreason.stopServers');
      assert.deepEqual(stopped.stopped.sort(), ['base', 'small']);
      await configure({
        'server.baseKind': undefined,
        'server.smallKind': undefined,
        'launch.readyTimeout': undefined,
        'launch.base.command': undefined,
        'launch.small.command': undefined,
      });
    }
  });
});
