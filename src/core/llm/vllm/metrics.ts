// Reading vLLM's Prometheus /metrics: speculative decoding and prefix caching, as rates over an interval.

import type { ServerFeatures } from '../server';

/** Sum of every sample of each metric name (labels folded together). */
export function parsePrometheus(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const match = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+([-+0-9.eE]+|NaN|[+-]Inf)/.exec(line);
    if (!match) {
      continue;
    }
    const value = Number(match[3]);
    if (Number.isFinite(value)) {
      sums.set(match[1]!, (sums.get(match[1]!) ?? 0) + value);
    }
  }
  return sums;
}

const first = (m: Map<string, number>, names: string[]) => names.map((n) => m.get(n)).find((v) => v !== undefined);
const PREFIX_HITS = ['vllm:prefix_cache_hits_total', 'vllm:gpu_prefix_cache_hits_total'];
const PREFIX_QUERIES = ['vllm:prefix_cache_queries_total', 'vllm:gpu_prefix_cache_queries_total'];
const SPEC_ACCEPTED = ['vllm:spec_decode_num_accepted_tokens_total'];
const SPEC_DRAFTED = ['vllm:spec_decode_num_draft_tokens_total'];

/** What a /metrics text says about the server; with `before`, rates cover only the time since then. */
export function serverFeatures(text: string, before?: string): ServerFeatures {
  const now = parsePrometheus(text);
  const then = before !== undefined ? parsePrometheus(before) : new Map<string, number>();
  const delta = (names: string[]) => {
    const a = first(now, names);
    return a === undefined ? undefined : a - (first(then, names) ?? 0);
  };
  const ratio = (num?: number, den?: number) =>
    num !== undefined && den !== undefined && den > 0 ? num / den : undefined;
  const cacheInfo = /vllm:cache_config_info\{[^}]*enable_prefix_caching="(\w+)"/.exec(text);
  const gaugeHitRate = now.get('vllm:gpu_prefix_cache_hit_rate'); // V0 engine
  return {
    // vllm:spec_decode_* exist only when speculative decoding is on; the cache flag is a label of cache_config_info.
    specDecode: [...now.keys()].some((k) => k.startsWith('vllm:spec_decode')),
    prefixCaching: cacheInfo ? cacheInfo[1] === 'True' : undefined,
    prefixCacheHitRate: ratio(delta(PREFIX_HITS), delta(PREFIX_QUERIES)) ?? gaugeHitRate,
    specDecodeAcceptance:
      ratio(delta(SPEC_ACCEPTED), delta(SPEC_DRAFTED)) ?? now.get('vllm:spec_decode_draft_acceptance_rate'),
  };
}
