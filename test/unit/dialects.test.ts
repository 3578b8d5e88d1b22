// Every engine the simulator speaks (src/sim/dialects.ts) gets the same decisions from the same
// scripted replies as vLLM, with the kind detected from the URL alone: the records match step for
// step (text, scores, origins, tokens), streamed and not, and each role may be a different engine.

import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { stepRequests } from '../../src/core/engine/stepRequests';
import { forgetKind } from '../../src/core/llm/detect';
import { createClients } from '../../src/core/llm/factory';
import { SIMULATOR_OWNER } from '../../src/core/llm/server';
import type { RunRecord, StepRecord } from '../../src/core/engine/runRecord';
import type { Scenario } from '../../src/sim/scenarios';
import type { SimDialect } from '../../src/sim/simulatedVllm';
import { configFor, failOnUnhandledRejections, numbered, withPair, type ConfigOverrides } from './helpers';

const PROBLEM = { text: 'Add the numbers.' };

const PAIRS: Array<{ name: string; base: SimDialect; small: SimDialect }> = [
  { name: 'SGLang', base: 'sglang', small: 'sglang' },
  { name: 'llama-server', base: 'llama-server', small: 'llama-server' },
  { name: 'Ollama', base: 'ollama', small: 'ollama' },
  { name: 'a hosted OpenAI-compatible provider', base: 'openai', small: 'openai' },
  { name: 'small on Ollama, base on SGLang', base: 'sglang', small: 'ollama' },
];

const SCENARIOS: Array<{ name: string; scenario: Scenario; config?: ConfigOverrides }> = [
  { name: 'alternating rejections', scenario: numbered(6, [9, 2, 9, 2, 9, 9]) },
  { name: 'first-N base steps', scenario: numbered(5, [9, 9, 3, 9, 9]), config: { firstNBaseSteps: 2 } },
  { name: 'token budget', scenario: numbered(20, [9, 3]), config: { tokenBudget: 60 } },
  {
    name: 'average scoring',
    scenario: {
      ...numbered(4),
      scores: [
        {
          sampled: '7',
          top: [
            ['7', -0.4],
            ['3', -1.2],
            ['x', -2],
          ],
        },
        9,
        { sampled: '2', top: [['2', -0.1]] },
        9,
      ],
    },
    config: { scoreMethod: 'average', threshold: 5.5 },
  },
];

function decisions(record: RunRecord): Array<Omit<StepRecord, 'timings'>> {
  return record.steps.map(({ timings: _t, ...rest }) => rest);
}

function sameRun(actual: RunRecord, expected: RunRecord, what: string): void {
  assert.equal(actual.summary.error, undefined, `${what}: ${actual.summary.error?.message}`);
  assert.deepEqual(decisions(actual), decisions(expected), what);
  assert.equal(actual.summary.stopReason, expected.summary.stopReason, what);
  assert.equal(actual.summary.answer, expected.summary.answer, what);
  assert.equal(actual.summary.keptTokens, expected.summary.keptTokens, what);
  assert.deepEqual(
    [actual.summary.accepted, actual.summary.rejected, actual.summary.forced],
    [expected.summary.accepted, expected.summary.rejected, expected.summary.forced],
    what,
  );
}

describe('engines: every simulator dialect makes the decisions vLLM makes', function () {
  this.timeout(60000);
  failOnUnhandledRejections();

  for (const { name: scenarioName, scenario, config } of SCENARIOS) {
    it(`${scenarioName}: vLLM, SGLang, llama-server, Ollama, a provider and a mixed pair agree (streamed and not)`, async () => {
      for (const stream of [true, false]) {
        const reference = await withPair(scenario, (pair) =>
          runSpecReason(PROBLEM, configFor(pair, { ...config, stream })),
        );
        assert.equal(reference.summary.error, undefined);
        assert.deepEqual(reference.serverKinds, { base: 'vllm', small: 'vllm' });
        for (const dialects of PAIRS) {
          await withPair(
            scenario,
            async (pair) => {
              const record = await runSpecReason(PROBLEM, configFor(pair, { ...config, stream }));
              sameRun(record, reference, `${dialects.name}, ${stream ? 'streamed' : 'not streamed'}`);
              assert.deepEqual(record.serverKinds, { base: dialects.base, small: dialects.small }, 'detected');
              for (const server of [pair.base, pair.small]) {
                assert.ok(
                  server.log.every((e) => !e.doubleBos),
                  `${server.options.dialect}: no prompt carried the BOS the server adds itself`,
                );
              }
              forgetKind(pair.base.url);
              forgetKind(pair.small.url);
            },
            { base: { dialect: dialects.base }, small: { dialect: dialects.small } },
          );
        }
      }
    });
  }

  it('the base-only baseline reads the same answer on every dialect', async () => {
    const scenario = numbered(5);
    const reference = await withPair(scenario, (pair) => runBaseline('base', PROBLEM, configFor(pair)));
    for (const dialect of ['sglang', 'llama-server', 'ollama', 'openai'] as const) {
      await withPair(
        scenario,
        async (pair) => {
          const record = await runBaseline('base', PROBLEM, configFor(pair));
          assert.equal(record.summary.error, undefined, record.summary.error?.message);
          assert.equal(record.steps[0]!.step_str, reference.steps[0]!.step_str, dialect);
          assert.equal(record.summary.answer, reference.summary.answer);
          assert.equal(record.summary.stopReason, reference.summary.stopReason);
        },
        { base: { dialect }, small: { dialect } },
      );
    }
  });

  it('the raw-prompt engines get the prompt vLLM renders, and the step continues it', () =>
    withPair(
      numbered(3),
      async (pair) => {
        await runSpecReason(PROBLEM, configFor(pair));
        const llama = pair.small.log.filter((e) => e.path === '/completion');
        const ollama = pair.base.log.filter((e) => e.path === '/api/generate');
        assert.ok(llama.length > 0 && ollama.length > 0);
        // The small model is DeepSeek-R1-Distill: its template's markers, without a BOS (llama-server adds it).
        const first = String(llama[0]!.body!.prompt);
        assert.ok(first.startsWith('<｜User｜>'), first);
        assert.ok(first.endsWith('<｜Assistant｜><think>\n'), first);
        const second = String(llama[1]!.body!.prompt);
        assert.match(second, /<｜Assistant｜><think>small step 0: we compute 0 \+ 0 = 0\.\n\n$/);
        // Ollama: raw, with num_ctx always set, the thinking split off.
        for (const e of ollama) {
          assert.equal(e.body!.raw, true);
          assert.equal(e.body!.think, false);
          assert.equal(typeof (e.body!.options as { num_ctx?: unknown }).num_ctx, 'number');
          assert.ok(!e.truncated, 'num_ctx covers the prompt');
        }
      },
      { base: { dialect: 'ollama' }, small: { dialect: 'llama-server' } },
    ));

  it("Ollama with a Go template: the model family's built-in template gives the same run", async () => {
    const scenario = numbered(4, [9, 2, 9, 9]);
    const reference = await withPair(scenario, (pair) => runSpecReason(PROBLEM, configFor(pair)));
    await withPair(
      scenario,
      async (pair) => {
        const record = await runSpecReason(PROBLEM, configFor(pair));
        sameRun(record, reference, 'Ollama, Go template');
        forgetKind(pair.base.url);
        forgetKind(pair.small.url);
      },
      { base: { dialect: 'ollama', goTemplate: true }, small: { dialect: 'ollama', goTemplate: true } },
    );
  });

  it('detection asks each URL once and caches it per URL', () =>
    withPair(
      numbered(2),
      async (pair) => {
        const config = configFor(pair);
        const first = createClients(config);
        await Promise.all([first.base.model(), first.small.model()]);
        assert.equal(first.base.kind, 'sglang');
        assert.equal(first.small.kind, 'ollama');
        assert.equal(first.small.knownModel?.ownedBy, SIMULATOR_OWNER, 'a simulated Ollama is labelled as such');
        const probes = (log: typeof pair.base.log) => log.filter((e) => e.path === '/get_model_info').length;
        const again = createClients(config);
        await again.base.model();
        assert.equal(again.base.kind, 'sglang');
        assert.equal(probes(pair.base.log), 1, 'asked once');
        const health = await again.small.health();
        assert.equal(health.kind, 'ollama');
        assert.equal(health.ok, true);
        forgetKind(pair.base.url);
        forgetKind(pair.small.url);
      },
      { base: { dialect: 'sglang' }, small: { dialect: 'ollama' } },
    ));

  it('a kind set explicitly is used without asking', () =>
    withPair(
      numbered(2),
      async (pair) => {
        const config = configFor(pair, { small: { kind: 'llama-server' }, base: { kind: 'llama-server' } });
        const record = await runSpecReason(PROBLEM, config);
        assert.equal(record.summary.error, undefined, record.summary.error?.message);
        assert.deepEqual(record.serverKinds, { base: 'llama-server', small: 'llama-server' });
        assert.equal(pair.base.log.filter((e) => e.path === '/api/version').length, 0, 'no detection');
      },
      { base: { dialect: 'llama-server' }, small: { dialect: 'llama-server' } },
    ));

  it("the panel's Request view shows each engine's request as it was sent (route and body), streamed and not", async () => {
    for (const stream of [true, false]) {
      for (const dialects of PAIRS) {
        await withPair(
          numbered(4, [9, 2, 9, 9]),
          async (pair) => {
            const record = await runSpecReason(PROBLEM, configFor(pair, { stream, firstNBaseSteps: 1 }));
            const what = `${dialects.name}, ${stream ? 'streamed' : 'not streamed'}`;
            assert.equal(record.summary.error, undefined, `${what}: ${record.summary.error?.message}`);
            assert.deepEqual(
              Object.keys(record.requestFormats ?? {}),
              ['base', 'small'],
              `${what}: the formats are recorded`,
            );
            let checked = 0;
            record.steps.forEach((_, i) => {
              for (const shown of stepRequests(record.prompt, record.mode, record.steps, i, record.requestFormats)!) {
                const sent = pair[shown.role].log.filter((e) => e.method === 'POST' && e.path === shown.path);
                assert.ok(sent.length > 0, `${what}: step ${i} ${shown.purpose} shows ${shown.path}, never requested`);
                assert.ok(
                  sent.some((e) => isDeepStrictEqual(e.body, shown.body)),
                  `${what}: step ${i} ${shown.purpose} ${shown.path} ${JSON.stringify(shown.body).slice(0, 300)} was not sent`,
                );
                checked++;
              }
            });
            assert.equal(checked, 8, `${what}: a forced step, a kept draft, a rewritten one and a kept one`);
          },
          { base: { dialect: dialects.base }, small: { dialect: dialects.small } },
        );
      }
    }
  });
});
