// Routers for scale-out: for each preset, a fake router per role with three simulated replicas behind it
// routes by the header the real router reads (or, for llm-d, by the token it issued); every request of a
// run keeps its replica. Without a router setting the same runs spread over the replicas.

import assert from 'node:assert/strict';
import { makeConfig, validateConfig } from '../../src/core/config';
import { run } from '../../src/core/engine/specReason';
import type { RouterPreset } from '../../src/core/llm/routers';
import { FakeRouter, startReplicas, type Replicas, type RoutedRequest } from './fakeRouter';
import { failOnUnhandledRejections, numbered } from './helpers';

/** What each router reads, written here from the routers' sources (not from src/core/llm/routers.ts). */
const ROUTERS: ReadonlyArray<{ preset: RouterPreset; header: string; mode: 'key' | 'echo'; sessionHeader?: string }> = [
  { preset: 'vllm-production-stack', header: 'x-user-id', mode: 'key' },
  { preset: 'vllm-production-stack', header: 'x-conversation', mode: 'key', sessionHeader: 'X-Conversation' },
  { preset: 'llm-d', header: 'x-session-token', mode: 'echo' },
  { preset: 'sglang-gateway', header: 'x-smg-routing-key', mode: 'key' },
  { preset: 'dynamo', header: 'x-dynamo-session-id', mode: 'key' },
  { preset: 'ray-serve', header: 'x-session-id', mode: 'key' },
  { preset: 'custom', header: 'x-my-affinity', mode: 'key', sessionHeader: 'x-my-affinity' },
];

const REPLICAS = 3;
const SCENARIO = numbered(5, [9, 2, 9, 9, 2]);

describe('routers: session headers keep a run on its replica', function () {
  this.timeout(30000);
  failOnUnhandledRejections();
  let replicas: Replicas;

  beforeEach(async () => {
    replicas = await startReplicas(REPLICAS, SCENARIO);
  });
  afterEach(() => replicas.stop());

  /** Three runs one after the other behind a router per role; each run's requests, per role. */
  async function runBehind(
    routing: { header: string; mode: 'key' | 'echo' } | undefined,
    router: RouterPreset,
    sessionHeader = '',
  ) {
    const routers = { base: new FakeRouter(replicas.base, routing), small: new FakeRouter(replicas.small, routing) };
    await Promise.all([routers.base.start(), routers.small.start()]);
    try {
      const config = makeConfig({
        requestTimeoutSec: 5,
        maxRetries: 0,
        router,
        sessionHeader,
        base: { url: routers.base.baseUrl },
        small: { url: routers.small.baseUrl },
      });
      assert.deepEqual(validateConfig(config), []);
      const runs: Array<{ runId: string; base: RoutedRequest[]; small: RoutedRequest[] }> = [];
      for (const mode of ['specreason', 'base', 'specreason'] as const) {
        const from = { base: routers.base.log.length, small: routers.small.log.length };
        const record = await run(mode, { text: 'What is 6 times 7?' }, config);
        assert.equal(record.summary.stopReason, 'finished', record.summary.error?.message);
        runs.push({
          runId: record.runId,
          base: routers.base.log.slice(from.base),
          small: routers.small.log.slice(from.small),
        });
      }
      return runs;
    } finally {
      await Promise.all([routers.base.stop(), routers.small.stop()]);
    }
  }

  for (const r of ROUTERS) {
    it(`${r.preset}${r.sessionHeader ? ` (session header ${r.sessionHeader})` : ''}: ${r.header}`, async () => {
      const runs = await runBehind({ header: r.header, mode: r.mode }, r.preset, r.sessionHeader);
      for (const one of runs) {
        for (const role of ['base', 'small'] as const) {
          const requests = one[role];
          if (requests.length === 0) {
            continue; // a base-only run sends nothing to the small model
          }
          const chat = requests.filter((q) => q.path === '/v1/chat/completions');
          assert.ok(chat.length >= 1);
          assert.equal(new Set(chat.map((q) => q.replica)).size, 1, `${one.runId} ${role}: one replica`);
          if (r.mode === 'key') {
            assert.ok(
              requests.every((q) => q.session === one.runId),
              `${role}: every request carries the run id`,
            );
          } else {
            // llm-d: the run's first chat request has no token yet; every later one sends back the one issued.
            assert.equal(chat[0]!.session, undefined);
            assert.ok(chat.slice(1).every((q) => q.session !== undefined));
          }
        }
      }
      if (r.mode === 'key') {
        const used = new Set(runs.map((one) => one.base.find((q) => q.path === '/v1/chat/completions')!.replica));
        assert.ok(used.size > 1, 'different runs are spread over the replicas');
      }
    });
  }

  it('without a router setting, no session header: the same runs spread over the replicas', async () => {
    const runs = await runBehind({ header: 'x-user-id', mode: 'key' }, 'none');
    const specreason = runs[0]!;
    assert.ok(specreason.base.every((q) => q.session === undefined));
    assert.ok(new Set(specreason.base.map((q) => q.replica)).size > 1);
  });

  it('refuses a custom router without a header, and a header name HTTP does not allow', () => {
    const problems = (router: RouterPreset, sessionHeader: string) =>
      validateConfig(makeConfig({ router, sessionHeader })).map((p) => `${p.key}: ${p.message}`);
    assert.match(problems('custom', '').join(), /sessionHeader: .*custom.*no session header/);
    assert.match(problems('dynamo', 'x session').join(), /not a valid HTTP header name/);
    assert.deepEqual(problems('none', ''), []);
  });
});
