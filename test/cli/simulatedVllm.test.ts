// dist/simulated-vllm.js, the demo's `vllm serve` stand-in, as a subprocess: it says in its log when it
// answers a problem it has no script for.

import assert from 'node:assert/strict';
import { DEMO_PROBLEM } from '../../src/sim/scenarios';
import { serveSimulated } from './cliProcess';

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
});
