// `specreason solve --router`: behind a router per role with three simulated replicas each, every request of the
// CLI's run carries the run id in the router's session header and stays on one replica; a custom router without
// a header is refused before any request (test/unit/router.test.ts covers every preset in process).

import assert from 'node:assert/strict';
import { FakeRouter, startReplicas, type Replicas } from '../unit/fakeRouter';
import { numbered } from '../unit/helpers';
import { cli } from './cliProcess';

describe('specreason solve --router (subprocess)', function () {
  this.timeout(30000);
  let replicas: Replicas;
  before(async () => {
    replicas = await startReplicas(3, numbered(5, [9, 2, 9, 9, 2]));
  });
  after(() => replicas.stop());

  it('--router sglang-gateway puts the run id in X-SMG-Routing-Key', async () => {
    const routing = { header: 'x-smg-routing-key', mode: 'key' as const };
    const routers = { base: new FakeRouter(replicas.base, routing), small: new FakeRouter(replicas.small, routing) };
    await Promise.all([routers.base.start(), routers.small.start()]);
    try {
      const args = ['solve', '--problem', 'What is 6 times 7?', '--json', '--quiet', '--router', 'sglang-gateway'];
      const out = await cli([...args, '--base-url', routers.base.baseUrl, '--small-url', routers.small.baseUrl]);
      assert.equal(out.code, 0, out.stderr);
      const record = JSON.parse(out.stdout) as { runId: string; config: { router: string } };
      assert.equal(record.config.router, 'sglang-gateway');
      for (const router of [routers.base, routers.small]) {
        assert.ok(router.log.length > 0 && router.log.every((q) => q.session === record.runId));
        assert.equal(new Set(router.log.map((q) => q.replica)).size, 1);
      }
      const bad = await cli(['solve', '--problem', 'x', '--router', 'custom', '--base-url', routers.base.baseUrl]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /no session header/);
    } finally {
      await Promise.all([routers.base.stop(), routers.small.stop()]);
    }
  });
});
