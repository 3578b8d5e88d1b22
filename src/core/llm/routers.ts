// Routers for scale-out: a router in front of several replicas of a model keeps a run's requests on one
// replica (whose prefix cache then keeps hitting) when each request says which session it belongs to.
// Each preset is the header one router reads, checked in its own source:
// - vLLM production-stack (vllm-project/production-stack a6c01db, src/vllm_router/parsers/parser.py and
//   routers/routing_logic.py): `--routing-logic session --session-key NAME` hashes the header NAME onto its
//   replicas; its own scripts and tests use `x-user-id`, the default here (set sessionHeader when yours differs).
// - llm-d (llm-d/llm-d-inference-scheduler 520af47, pkg/epp/.../scorer/sessionaffinity/session_affinity.go):
//   the session-affinity scorer puts `x-session-token` (the chosen pod's name, base64) on its response and
//   scores that pod first for a request that sends it back. Nothing to send on a run's first request.
// - SGLang's model gateway (sgl-project/sglang sgl-model-gateway/src/policies/consistent_hashing.rs, and
//   manual.rs): policies `consistent_hashing` and `manual` route by `X-SMG-Routing-Key`.
// - NVIDIA Dynamo (ai-dynamo/dynamo lib/llm/src/protocols/agents.rs): `x-dynamo-session-id`, read for the
//   router's session affinity (frontend started with --router-session-affinity-ttl-secs).
// - Ray Serve LLM (ray-project/ray, doc/source/serve/llm/architecture/routing-policies.md): its shipped
//   routers (power of two, prefix-aware, KV-aware) read no header; session-aware routing is a custom
//   RequestRouter, and `x-session-id` is the header such routers read (as Dynamo's session middleware does).
// The run id goes in the header, so a run's requests share one key and different runs spread out.
// Pure data (the settings table and the webview read it); runSession.ts puts the header on the requests.

export const ROUTER_PRESETS = [
  'none',
  'vllm-production-stack',
  'llm-d',
  'sglang-gateway',
  'dynamo',
  'ray-serve',
  'custom',
] as const;
export type RouterPreset = (typeof ROUTER_PRESETS)[number];

/** How a router learns a request's session: a key the client chooses, or a token the router issued. */
export type SessionMode = 'key' | 'echo';

export interface SessionRouting {
  /** The header, lower case. */
  header: string;
  mode: SessionMode;
}

const PRESETS: Readonly<Record<Exclude<RouterPreset, 'none' | 'custom'>, SessionRouting>> = {
  'vllm-production-stack': { header: 'x-user-id', mode: 'key' },
  'llm-d': { header: 'x-session-token', mode: 'echo' },
  'sglang-gateway': { header: 'x-smg-routing-key', mode: 'key' },
  dynamo: { header: 'x-dynamo-session-id', mode: 'key' },
  'ray-serve': { header: 'x-session-id', mode: 'key' },
};

export const ROUTER_DESCRIPTIONS: Readonly<Record<RouterPreset, string>> = {
  none: 'No router: no session header.',
  'vllm-production-stack':
    'vLLM production-stack router with --routing-logic session: the run id in its --session-key header (x-user-id unless the session header setting says otherwise).',
  'llm-d': 'llm-d inference scheduler with the session-affinity scorer: the x-session-token it issues is sent back.',
  'sglang-gateway': 'SGLang model gateway (consistent_hashing or manual policy): the run id in X-SMG-Routing-Key.',
  dynamo: 'NVIDIA Dynamo frontend with session affinity: the run id in x-dynamo-session-id.',
  'ray-serve': 'Ray Serve LLM with a session-aware request router: the run id in x-session-id.',
  custom: 'Any router: the run id in the header named by the session header setting.',
};

/** A header name as HTTP allows it (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Why a router setting cannot be used; undefined when it can. */
export function routerProblem(router: RouterPreset, sessionHeader: string): string | undefined {
  const header = sessionHeader.trim();
  if (header && !HEADER_NAME.test(header)) {
    return `the session header ${JSON.stringify(sessionHeader)} is not a valid HTTP header name`;
  }
  if (router === 'custom' && !header) {
    return 'the router is "custom" but no session header is set: name the header your router routes by (e.g. x-session-id)';
  }
  return undefined;
}

/**
 * The session header of a router setting: a preset's (the session header setting overrides its name) or a
 * custom one; a session header alone means a custom router. Undefined: no header.
 */
export function sessionRouting(router: RouterPreset, sessionHeader: string): SessionRouting | undefined {
  const header = sessionHeader.trim().toLowerCase();
  if (router === 'none' || router === 'custom') {
    return header ? { header, mode: 'key' } : undefined;
  }
  const preset = PRESETS[router];
  return header ? { ...preset, header } : preset;
}
