import assert from 'node:assert/strict';
import { compare } from '../../src/core/compare';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { runToMarkdown } from '../../src/core/markdown';
import { parsePrometheus, serverFeatures } from '../../src/core/llm/vllm/metrics';
import { configFor, numbered, withPair } from './helpers';

const V1 = `# HELP vllm:prefix_cache_queries_total x
vllm:prefix_cache_queries_total{model_name="m",engine="0"} 1000.0
vllm:prefix_cache_hits_total{model_name="m",engine="0"} 600.0
vllm:spec_decode_num_draft_tokens_total{model_name="m",engine="0"} 500.0
vllm:spec_decode_num_accepted_tokens_total{model_name="m",engine="0"} 350.0
vllm:cache_config_info{block_size="16",enable_prefix_caching="True",engine="0"} 1.0
`;

describe('metrics, comparison and Markdown export', () => {
  it('parses Prometheus text and sums labelled series', () => {
    const m = parsePrometheus('a{x="1"} 2.0\na{x="2"} 3\n# c\nb 1e3\nbad line\n');
    assert.equal(m.get('a'), 5);
    assert.equal(m.get('b'), 1000);
  });

  it('reads spec-decode acceptance and prefix-cache hit rate, over an interval when given one', () => {
    const f = serverFeatures(V1);
    assert.equal(f.specDecode, true);
    assert.equal(f.prefixCaching, true);
    assert.equal(f.prefixCacheHitRate, 0.6);
    assert.equal(f.specDecodeAcceptance, 0.7);
    const later = V1.replace('1000.0', '1100.0').replace('600.0', '690.0');
    assert.ok(Math.abs(serverFeatures(later, V1).prefixCacheHitRate! - 0.9) < 1e-12);
  });

  it('reports unknown (undefined), not an error, when a server exposes none of it', () => {
    const f = serverFeatures('vllm:num_requests_running 0\n');
    assert.deepEqual(f, {
      specDecode: false,
      prefixCaching: undefined,
      prefixCacheHitRate: undefined,
      specDecodeAcceptance: undefined,
    });
  });

  it('compares SpecReason with base-only: speedup, answers, rows', () =>
    withPair(numbered(4, [9, 2]), async (pair) => {
      const spec = await runSpecReason({ text: 'q' }, configFor(pair));
      const base = await runBaseline('base', { text: 'q' }, configFor(pair));
      const c = compare([spec.summary, base.summary]);
      assert.equal(c.speedup, base.summary.wallMs / spec.summary.wallMs);
      assert.equal(c.answersAgree, true);
      assert.deepEqual(
        c.rows.map((r) => r.mode),
        ['specreason', 'base'],
      );
      assert.equal(c.rows[0]!.steps, 4);
      const md = runToMarkdown([spec, base]);
      assert.match(md, /^# SpecReason run /);
      assert.match(md, /\| 1 \| base \(rejected draft\) \| 2 \|/);
      assert.match(md, /## base-only/);
      assert.match(md, /Answer: \$\\boxed\{42\}\$/);
    }));

  it('gives no speedup when a run did not finish', () => {
    const summary = (mode: 'specreason' | 'base', stopReason: 'finished' | 'error') => ({
      mode,
      stopReason,
      wallMs: 100,
      steps: 1,
      accepted: 0,
      rejected: 0,
      forced: 0,
      keptTokens: 1,
      overlapSavedMs: 0,
      small: { tokens: 0, ms: 0, requests: 0, modelListRequests: 0, wastedTokens: 0 },
      base: { tokens: 0, ms: 0, requests: 0, modelListRequests: 0, wastedTokens: 0 },
    });
    assert.equal(compare([summary('specreason', 'error'), summary('base', 'finished')]).speedup, undefined);
  });
});
