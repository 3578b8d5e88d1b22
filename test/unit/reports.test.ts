import assert from 'node:assert/strict';
import { compare } from '../../src/core/presentation/compareTable';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { formatSpeedup } from '../../src/core/presentation/format';
import { runToMarkdown } from '../../src/core/presentation/markdown';
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
      // Numbered and labelled as in the panel: the second step (index 1) is "Step 2", rewritten by the base model.
      assert.match(md, /\| 2 \| base · after rejection \| 2 \|/);
      assert.match(md, /## Base only/);
      assert.match(md, /Answer: \$\\boxed\{42\}\$/);
    }));

  it('Markdown copy: steps numbered from 1 as paragraphs under the panel labels, models, SIMULATED, speedup', () =>
    withPair(numbered(3, [9, 2]), async (pair) => {
      const spec = await runSpecReason({ text: 'q' }, configFor(pair));
      const base = await runBaseline('base', { text: 'q' }, configFor(pair));
      const md = runToMarkdown([spec, base], { simulated: true });
      assert.match(md, /SIMULATED model pair/);
      assert.match(md, /- Speedup: \d+\.\d\d× (faster|— slower) \(base-only wall time ÷ SpecReason wall time\)/);
      assert.match(md, /- Models: base `Qwen\/QwQ-32B`, small `deepseek-ai\/DeepSeek-R1-Distill-Qwen-1\.5B`/);
      assert.match(md, /- Settings: threshold 7 \(greedy\), token budget \d+/);
      assert.deepEqual(
        [...md.matchAll(/^### Step (\d+) — (.*)$/gm)].map((m) => [m[1], m[2]]),
        [
          ['1', 'small · accepted (score 9)'],
          ['2', 'base · after rejection (score 2)'],
          ['3', 'small · accepted (score 9)'],
        ],
      );
      // Each step's text is its own paragraph: a blank line before and after.
      for (const step of spec.steps) {
        assert.ok(md.includes(`\n\n${step.step_str.trim()}\n\n`), `step ${step.step_id + 1} stands alone`);
      }
      assert.match(md, /## Base only[\s\S]*### Reasoning\n\n/);
      assert.doesNotMatch(runToMarkdown([spec]), /SIMULATED|Speedup/);
      assert.equal(runToMarkdown([]), '');
    }));

  it('words the speedup as the panel does', () => {
    assert.equal(formatSpeedup(1.4712), '1.47× faster');
    assert.equal(formatSpeedup(0.571), '0.57× — slower');
    assert.equal(formatSpeedup(undefined), '—');
  });

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
