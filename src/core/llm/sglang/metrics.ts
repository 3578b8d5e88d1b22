// Reading SGLang's Prometheus /metrics (only with --enable-metrics): the names are `sglang:*`
// (python/sglang/srt/metrics/collector.py: cache_hit_rate and spec_accept_length are gauges).

import { parsePrometheus } from '../vllm/metrics';
import type { ServerFeatures } from '../server';

export function sglangFeatures(text: string): ServerFeatures {
  const now = parsePrometheus(text);
  const acceptLength = now.get('sglang:spec_accept_length');
  return {
    specDecode: acceptLength !== undefined && acceptLength > 0,
    // RadixAttention is on unless --disable-radix-cache; the metrics only give its hit rate.
    prefixCaching: undefined,
    prefixCacheHitRate: now.get('sglang:cache_hit_rate'),
    specDecodeAcceptance: undefined,
  };
}
