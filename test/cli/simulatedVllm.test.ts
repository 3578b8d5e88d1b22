// dist/simulated-vllm.js, the demo's `vllm serve` stand-in, as a subprocess: it says in its log when it
// answers a problem it has no script for, and with --dialect Start Servers starts it in place of another engine.

import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { makeConfig } from '../../src/core/config';
import { runSpecReason } from '../../src/core/engine/specReason';
import { startEngine, type EngineLaunch, type StartResult } from '../../src/core/launch/engineStart';
import { launchCommandLine } from '../../src/core/launch/serve';
import { DEMO_PROBLEM } from '../../src/sim/scenarios';
import { freePort, serveSimulated, SIMULATED_VLLM } from './cliProcess';

describe("simulated-vllm.js (the demo's servers)", () => {
  it('says in its log when it answers a problem it has no script for', async () => {
    const server = await serveSimulated('Qwen/QwQ-32B', ['--load-seconds', '0']);
    try {
      const ask = async (problem: string) => {
        const res = await fetch(`${server.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: 'Qwen/QwQ-32B',
            messages: [{ role: 'user', content: problem }],
            max_tokens: 4,
          }),
        });
        assert.equal(res.status, 200);
        await res.text();
      };
      await ask(DEMO_PROBLEM);
      assert.doesNotMatch(server.log(), /no script/);
      await ask('What is 17 * 23?');
      assert.match(server.log(), /no script for this problem: answering with the sample problem's steps/);
    } finally {
      await server.stop();
    }
  });

  it("stands in for SGLang and llama-server in Start Servers: each engine's command line, ready by its signal, answering as that engine", async function () {
    this.timeout(60000);
    const ports = { base: await freePort(), small: await freePort() };
    // The launch settings a user would give: the simulator as the command, the engine as the kind.
    const launches: EngineLaunch[] = [
      {
        kind: 'sglang',
        role: 'base',
        url: `http://127.0.0.1:${ports.base}/v1`,
        command: `${process.execPath} ${SIMULATED_VLLM} --dialect sglang --latency zero --load-seconds 0.3`,
        model: 'Qwen/QwQ-32B',
        extraArgs: '',
        env: {},
        cwd: tmpdir(),
      },
      {
        kind: 'llama-server',
        role: 'small',
        url: `http://127.0.0.1:${ports.small}`,
        command: `${process.execPath} ${SIMULATED_VLLM} --dialect llama-server --latency zero --load-seconds 0.3`,
        model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
        extraArgs: '',
        env: {},
        cwd: tmpdir(),
      },
    ];
    const results: StartResult[] = [];
    try {
      for (const launch of launches) {
        const lines: string[] = [];
        const result = await startEngine(launch, {
          timeoutMs: 20000,
          signal: new AbortController().signal,
          onLine: (l) => lines.push(l),
        });
        results.push(result);
        assert.equal(result.state, 'started', `${launch.kind}: ${result.failure?.message} ${lines.join('\n')}`);
        assert.equal(result.servedModel, launch.model);
        const args = lines.find((l) => l.includes('[simulated] args:'));
        assert.match(
          args ?? '',
          new RegExp(`model=${launch.model} port=\\d+ dialect=${launch.kind}`),
          lines.join('\n'),
        );
      }
      assert.match(
        launchCommandLine(launches[0]!),
        /--dialect sglang --latency zero --load-seconds 0\.3 --model-path Qwen\/QwQ-32B --port \d+ --enable-metrics$/,
      );
      assert.match(
        launchCommandLine(launches[1]!),
        /--dialect llama-server --latency zero --load-seconds 0\.3 -hf deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B --port \d+ --metrics$/,
      );
      // A run against what Start Servers started: each engine detected from its URL, the sample problem solved.
      const config = makeConfig({
        requestTimeoutSec: 10,
        maxRetries: 0,
        base: { url: launches[0]!.url },
        small: { url: launches[1]!.url },
      });
      const record = await runSpecReason({ text: DEMO_PROBLEM }, config);
      assert.equal(record.summary.error, undefined, record.summary.error?.message);
      assert.deepEqual(record.serverKinds, { base: 'sglang', small: 'llama-server' });
      assert.equal(record.summary.answer, '50');
    } finally {
      await Promise.all(results.flatMap((r) => (r.process ? [r.process.stop(2000)] : [])));
    }
  });
});
