// dist/simulated-vllm.js, the demo's `vllm serve` stand-in, as a subprocess: it says in its log when it
// answers a problem it has no script for.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { DEMO_PROBLEM } from '../../src/sim/scenarios';

describe("simulated-vllm.js (the demo's servers)", () => {
  const SERVE = path.resolve(__dirname, '../../../dist/simulated-vllm.js');

  it('says in its log when it answers a problem it has no script for', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    const child = spawn(
      process.execPath,
      [SERVE, 'serve', 'Qwen/QwQ-32B', '--port', String(port), '--load-seconds', '0'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let log = '';
    child.stdout.on('data', (d: Buffer) => (log += d.toString()));
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    try {
      const deadline = Date.now() + 15000;
      while (!log.includes('Uvicorn running')) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `the server started: ${log}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      const ask = async (problem: string) => {
        const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
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
      assert.doesNotMatch(log, /no script/);
      await ask('What is 17 * 23?');
      assert.match(log, /no script for this problem: answering with the sample problem's steps/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('close', r));
    }
  });
});
