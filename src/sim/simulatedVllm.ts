// A simulated vLLM OpenAI-compatible server: real HTTP on 127.0.0.1, vLLM's wire format (template
// flags, error bodies, SSE order, usage chunk, logprobs), scripted model replies per step index, a
// latency model (prefill per uncached prompt token with a block prefix cache, decode per token,
// slowdown when requests overlap), fault injection and a request log. Used by the tests, the
// benchmark and the demo (`specreason simulate`). Every reply it writes is labelled as coming from a
// simulated model. It shares no code with the client (src/core/llm) on purpose: a misreading of the
// protocol written once would then pass its own tests.

import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import {
  SIM_GO_TEMPLATE,
  SIM_TEMPLATES,
  dialectErrorBody,
  dialectMetrics,
  ollamaHasLogprobs,
  parseRawPrompt,
  templateFamilyFor,
  type SimDialect,
} from './dialects';
import {
  legacyLogprobs,
  llamaServerFormat,
  ollamaFormat,
  openaiCompletionsFormat,
  type RawReplyFacts,
  type RawReplyFormat,
} from './rawReplies';

import { draftChoices, firstTokenReply, type DraftChoice } from './policyReplies';
export type { SimDialect };

export const SIM_SCORE_PREFILL = '<think>I think the quality score is: ';
/** The conformance probe's continuation prefill (src/core/llm/conformance.ts): a model continues it with "four". */
export const SIM_PROBE_PREFILL = '<think>\nCounting in words: one, two, three,';

/** A score reply: a digit the model samples with high confidence, or an explicit distribution. */
export type ScoreReply = number | { sampled: string; top: Array<[token: string, logprob: number]> };

export interface StepContext {
  /** The problem text as found in the user message. */
  user: string;
  /** Steps already in the prefill. */
  previous: readonly string[];
}

export interface SimScript {
  /** Text of reasoning step `index` (without the trailing blank line). */
  step(index: number, context: StepContext): string;
  /** Score for the draft at step `index` (base model only). Default 9. */
  score?(index: number, draft: string, context: StepContext): ScoreReply;
  /** The first token of step `index` and its alternatives (first-token routing); default: a confident first word. */
  firstToken?(index: number, context: StepContext): Extract<ScoreReply, { sampled: string }> | undefined;
  /** The n drafts of step `index` one request with `n` asks for (multi-draft); default: n copies of `step`. */
  drafts?(index: number, n: number, context: StepContext): readonly string[];
}

export interface LatencyModel {
  /** Milliseconds per prompt token not found in the prefix cache. */
  prefillMsPerToken: number;
  /** Milliseconds per generated token. */
  decodeMsPerToken: number;
  /** Each additional request running on this server slows every running request by this fraction. */
  overlapSlowdown: number;
  /** Continuous batching: the slowdown grows as (running − 1) to this power (default 1, linear; < 1 sublinear). */
  overlapExponent?: number;
  /** Fixed milliseconds per request (scheduling, HTTP). */
  overheadMs: number;
}

export const ZERO_LATENCY: LatencyModel = {
  prefillMsPerToken: 0,
  decodeMsPerToken: 0,
  overlapSlowdown: 0,
  overheadMs: 0,
};

export type Fault =
  | 'http500'
  | 'http503'
  | 'http401'
  | 'http404-model'
  | 'reset' // destroy the socket before answering
  | 'hang' // accept the request, never answer
  | 'hang-mid-stream' // stream a few chunks, then go silent
  | 'drop-mid-stream' // stream a few chunks, then close the connection
  | 'malformed-json' // a body (or SSE event) that is not JSON
  | 'missing-logprobs' // a score reply without logprobs
  | 'stream-error-event' // HTTP 200, then data: {"error": …}
  | 'context-overflow' // 400 "maximum context length"
  | 'stall-after-headers' // send the 200 headers, then nothing (streamed or not)
  | 'usage-zero' // usage.completion_tokens 0 …
  | 'usage-negative' // … -5
  | 'usage-null' // … null
  | 'usage-fraction' // … 2.5
  | 'usage-string' // … "7"
  | 'no-usage-chunk' // a stream without the usage chunk (as behind a proxy that drops stream_options)
  | 'html500' // an HTML error page (with <title> and <script>), as a proxy or a crashed app writes
  | 'html502'
  | 'not-sse' // a JSON completion in reply to a streamed request
  | 'endless-drip' // a stream (or body) that never ends: a token (or a space) every millisecond
  | 'oversize-step' // ignore max_tokens: fifty times as many tokens
  | 'empty-body' // 200 with an empty body
  | 'null-body' // 200 with the body `null`
  | 'null-top-logprobs-entry' // a score reply whose top_logprobs holds a null entry
  | 'new-turn'; // a continuation (continue_final_message) answered as a new assistant turn: it restarts with <think>

export interface FaultRule {
  fault: Fault;
  /** Which requests: step generations, score requests, full (baseline) generations, first-token probes, model lists; default any chat request. */
  kind?: 'step' | 'score' | 'full' | 'first-token' | 'models' | 'chat';
  /** Only at this step index. */
  step?: number;
  /** How many matching requests get the fault (default: all). */
  times?: number;
}

export interface SimServerOptions {
  /** Served model name (what /v1/models lists). */
  model: string;
  script: SimScript;
  maxModelLen?: number;
  /** vLLM version reported by /version; ≤0.10.0 uses the flat error body, later the nested one. */
  version?: string;
  /** Send text in this delta/message field (a reasoning parser is on) instead of `content`. */
  reasoningField?: 'reasoning_content' | 'reasoning';
  apiKey?: string;
  latency?: LatencyModel;
  faults?: FaultRule[];
  /** Expose vllm:spec_decode_* metrics, as a server with --speculative-config does. */
  specDecode?: boolean;
  maxLogprobs?: number;
  /** Return at most this many top logprobs, silently (as TGI's cap of 5, or a server that ignores the count). */
  topLogprobsCap?: number;
  /** Answer as this engine does (src/sim/dialects.ts); default vLLM. */
  dialect?: SimDialect;
  /** Ollama dialect: the version /api/version reports (logprobs since 0.12.11; default 0.12.11). */
  ollamaVersion?: string;
  /** Ollama dialect: /api/show gives a Go template, as for most library models, instead of Jinja. */
  goTemplate?: boolean;
  /** false: served without prefix caching (the metrics say so, and nothing is cached). Default true. */
  prefixCaching?: boolean;
}

export interface RequestLogEntry {
  seq: number;
  headers?: http.IncomingHttpHeaders;
  method: string;
  path: string;
  kind?: 'step' | 'score' | 'full' | 'first-token';
  stepIndex?: number;
  body?: Record<string, unknown>;
  status?: number;
  fault?: Fault;
  startedAt: number;
  endedAt?: number;
  /** The client closed the connection before the reply was complete. */
  aborted: boolean;
  /** The Authorization header as received (tests check where an API key was sent). */
  authorization?: string;
  promptTokens?: number;
  cachedTokens?: number;
  completionTokens?: number;
  /** Raw-prompt dialects: the prompt began with the BOS text the server adds again (two BOS tokens). */
  doubleBos?: boolean;
  /** Ollama dialect: the prompt was longer than num_ctx (Ollama truncates it silently). */
  truncated?: boolean;
  /** A prompt list on /v1/completions: what each prompt was, in the list's order (kind and stepIndex are the first's). */
  prompts?: Array<{ kind: ChatRequest['kind']; stepIndex: number }>;
}

const BLOCK = 16;

/** A crude tokenizer: a word with its leading whitespace is one token. */
export function simTokenize(text: string): string[] {
  return text.match(/\s*\S+|\s+/g) ?? [];
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const nowMs = () => performance.timeOrigin + performance.now();

interface ChatBody {
  /** The raw prompt of a raw-prompt dialect, counted as it came. */
  rawPrompt?: string;
  model?: unknown;
  messages?: Array<{ role?: unknown; content?: unknown }>;
  stream?: unknown;
  stream_options?: unknown;
  n?: unknown;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  stop?: unknown;
  logprobs?: unknown;
  top_logprobs?: unknown;
  add_generation_prompt?: unknown;
  continue_final_message?: unknown;
}

/** The GETs that tell engines apart (src/core/llm/detect.ts asks them): a dialect that has none of them answers 404. */
const ENGINE_PROBES: readonly string[] = [
  'GET /health',
  'GET /version',
  'GET /metrics',
  'GET /props',
  'GET /get_model_info',
  'GET /api/version',
];

/** The raw-prompt dialects, and how each frames a reply. */
type RawWriter = 'llama-server' | 'ollama' | 'openai';
const RAW_FORMATS: Record<RawWriter, (reply: RawReplyFacts) => RawReplyFormat> = {
  'llama-server': llamaServerFormat,
  ollama: ollamaFormat,
  openai: openaiCompletionsFormat,
};

/** A request body that must be a JSON object (kept in the log entry). */
function jsonObject(raw: string, entry: RequestLogEntry): Record<string, unknown> {
  try {
    const body = JSON.parse(raw) as unknown;
    if (body && typeof body === 'object' && !Array.isArray(body)) {
      entry.body = body as Record<string, unknown>;
      return entry.body;
    }
  } catch {
    /* answered below */
  }
  throw new HttpError(400, 'Invalid JSON body', 'invalid_request_error');
}

/** Faults that happen inside a reply rather than instead of it. */
const REPLY_FAULTS: readonly Fault[] = [
  'hang-mid-stream',
  'drop-mid-stream',
  'missing-logprobs',
  'stream-error-event',
  'usage-zero',
  'usage-negative',
  'usage-null',
  'usage-fraction',
  'usage-string',
  'no-usage-chunk',
  'not-sse',
  'endless-drip',
  'oversize-step',
  'new-turn',
  'null-top-logprobs-entry',
];

/** A chat request as the simulation understands it. */
interface ChatRequest extends StepContext {
  kind: 'step' | 'score' | 'full' | 'first-token';
  stepIndex: number;
  continueFinal: boolean;
  topLogprobs: number;
  /** The conformance probe's continuation request. */
  probe: boolean;
}

/** What the model says. */
interface ModelReply {
  tokens: string[];
  finishReason: 'stop' | 'length';
  stopReason: string | null;
  /** The score token and its distribution (score requests). */
  sampled?: { token: string; top: Array<[string, number]> };
  completionTokens: number;
  topLogprobs: number;
  /** The n choices of a step request with `n` > 1 (the first one is also the reply's own tokens). */
  choices?: DraftChoice[];
  /** Tokens the decode time is counted on, when not completionTokens (n choices decode side by side). */
  decodeTokens?: number;
}

/** A reply with what its writing needs to know about the request. */
interface ReplyToSend extends ModelReply {
  promptTokens: number;
  fault: Fault | undefined;
  wantLogprobs: boolean;
  includeUsage: boolean;
}

/** First-token routing's probe: one token with its alternatives, at the start of a step (not a score). */
function isFirstTokenProbe(body: ChatBody): boolean {
  return (
    Number(body.max_completion_tokens ?? body.max_tokens) === 1 && body.logprobs === true && topLogprobsOf(body) > 0
  );
}

function topLogprobsOf(body: ChatBody): number {
  return typeof body.top_logprobs === 'number' ? body.top_logprobs : 0;
}

/** One HTTP exchange: its log entry, the request, the response, and a way to send a whole body. */
interface Exchange {
  entry: RequestLogEntry;
  req: http.IncomingMessage;
  res: http.ServerResponse;
  send: (status: number, body: string, contentType?: string) => void;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
  ) {
    super(message);
  }
}

export class SimulatedVllm {
  readonly log: RequestLogEntry[] = [];
  private _server?: http.Server;
  private readonly _sockets = new Set<Socket>();
  private _running = 0;
  private _seq = 0;
  private readonly _cache = new Set<string>();
  private readonly _faultUses = new Map<FaultRule, number>();
  private readonly _counters = { promptTokens: 0, generationTokens: 0, cacheQueries: 0, cacheHits: 0, requests: 0 };
  private _port = 0;

  constructor(readonly options: SimServerOptions) {}

  get url(): string {
    return `http://127.0.0.1:${this._port}`;
  }
  /** The OpenAI base URL, with /v1. */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }
  /** The URL a user of the engine played gives: the OpenAI base for vLLM, SGLang and providers, the bare server for llama-server and Ollama. */
  get userUrl(): string {
    return this._dialect === 'llama-server' || this._dialect === 'ollama' ? this.url : this.baseUrl;
  }
  get running(): number {
    return this._running;
  }
  /** Requests whose reply has not ended (neither completed nor aborted). */
  openRequests(): RequestLogEntry[] {
    return this.log.filter((e) => e.endedAt === undefined);
  }

  setFaults(faults: FaultRule[]): void {
    this.options.faults = faults;
    this._faultUses.clear();
  }
  setLatency(latency: LatencyModel): void {
    this.options.latency = latency;
  }
  clearCache(): void {
    this._cache.clear();
  }

  /** Listen on 127.0.0.1 (port 0 = ephemeral); also restarts a stopped server on its old port. */
  async start(port = this._port): Promise<this> {
    const server = http.createServer({ noDelay: true }, (req, res) => {
      void this._handle(req, res);
    });
    server.keepAliveTimeout = 5000; // uvicorn's
    server.on('connection', (socket) => {
      this._sockets.add(socket);
      socket.on('close', () => this._sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this._port = (server.address() as AddressInfo).port;
    this._server = server;
    return this;
  }

  /** Stop listening and drop every connection: clients then get "connection refused". */
  async stop(): Promise<void> {
    const server = this._server;
    this._server = undefined;
    if (!server) {
      return;
    }
    for (const socket of this._sockets) {
      socket.destroy();
    }
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Resolve once every logged request has ended (or the timeout passes: generous, a busy machine sees closed sockets late). */
  async settled(timeoutMs = 10_000): Promise<void> {
    const deadline = nowMs() + timeoutMs;
    while (this.openRequests().length > 0 && nowMs() < deadline) {
      await sleep(5);
    }
  }

  private _takeFault(kind: FaultRule['kind'], stepIndex?: number): Fault | undefined {
    for (const rule of this.options.faults ?? []) {
      const kindMatches =
        rule.kind === undefined ? kind !== 'models' : rule.kind === kind || (rule.kind === 'chat' && kind !== 'models');
      if (!kindMatches) {
        continue;
      }
      if (rule.step !== undefined && rule.step !== stepIndex) {
        continue;
      }
      const used = this._faultUses.get(rule) ?? 0;
      if (rule.times !== undefined && used >= rule.times) {
        continue;
      }
      this._faultUses.set(rule, used + 1);
      return rule.fault;
    }
    return undefined;
  }

  private get _dialect(): SimDialect {
    return this.options.dialect ?? 'vllm';
  }

  private _errorBody(status: number, message: string, type: string): string {
    if (this._dialect !== 'vllm') {
      return dialectErrorBody(this._dialect, status, message, type);
    }
    const flat = versionAtMost(this.options.version ?? '0.11.0', '0.10.0');
    return JSON.stringify(
      flat
        ? { object: 'error', message, type, param: null, code: status }
        : { error: { message, type, param: null, code: status } },
    );
  }

  private async _handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const entry: RequestLogEntry = {
      seq: ++this._seq,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0] ?? '/',
      startedAt: nowMs(),
      aborted: false,
      authorization: req.headers.authorization,
      headers: req.headers,
    };
    this.log.push(entry);
    res.on('close', () => {
      if (!res.writableFinished) {
        entry.aborted = true;
      }
      entry.endedAt ??= nowMs();
    });
    const send = (status: number, body: string, contentType = 'application/json') => {
      entry.status = status;
      res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
      res.end(body);
    };
    const exchange: Exchange = { entry, req, res, send };
    try {
      const raw = await readBody(req);
      const path = entry.path;
      if (
        path.startsWith('/v1') &&
        this.options.apiKey &&
        req.headers.authorization !== `Bearer ${this.options.apiKey}`
      ) {
        return send(401, JSON.stringify({ error: 'Unauthorized' }));
      }
      if (await this._dialectRoute(`${req.method ?? 'GET'} ${path}`, raw, exchange)) {
        return;
      }
      if (req.method === 'GET' && path === '/health') {
        return send(200, '', 'text/plain');
      }
      if (req.method === 'GET' && path === '/version') {
        return send(200, JSON.stringify({ version: this.options.version ?? '0.11.0' }));
      }
      if (req.method === 'GET' && path === '/metrics') {
        return send(200, this._metrics(), 'text/plain; version=0.0.4; charset=utf-8');
      }
      if (req.method === 'GET' && path === '/v1/models') {
        const fault = this._takeFault('models');
        if (fault) {
          return this._fault(fault, exchange);
        }
        return send(200, JSON.stringify(this._models()));
      }
      if (req.method === 'POST' && path === '/v1/chat/completions') {
        if (!String(req.headers['content-type'] ?? '').startsWith('application/json')) {
          throw new HttpError(
            415,
            "Unsupported Media Type: Only 'application/json' is allowed",
            'Unsupported Media Type',
          );
        }
        let body: ChatBody;
        try {
          body = JSON.parse(raw) as ChatBody;
        } catch {
          throw new HttpError(400, 'Invalid JSON body', 'Bad Request');
        }
        entry.body = body as Record<string, unknown>;
        return await this._chat(body, exchange);
      }
      if (
        req.method === 'POST' &&
        path === '/v1/completions' &&
        (this._dialect === 'vllm' || this._dialect === 'sglang')
      ) {
        return await this._completions(raw, exchange);
      }
      return send(404, JSON.stringify({ detail: 'Not Found' }));
    } catch (error) {
      if (error instanceof HttpError) {
        return send(error.status, this._errorBody(error.status, error.message, error.type));
      }
      return send(500, this._errorBody(500, String(error), 'InternalServerError'));
    }
  }

  /** The routes an engine other than vLLM has (or lacks); true when this one answered. */
  private _dialectRoute(route: string, raw: string, exchange: Exchange): Promise<boolean> {
    switch (this._dialect) {
      case 'sglang':
        return Promise.resolve(this._sglangRoute(route, exchange));
      case 'llama-server':
        return this._llamaServerRoute(route, raw, exchange);
      case 'ollama':
        return this._ollamaRoute(route, raw, exchange);
      case 'openai':
        return this._openaiRoute(route, raw, exchange);
      case 'vllm':
        return Promise.resolve(false);
    }
  }

  /** SGLang: vLLM's routes, plus /get_model_info, /get_server_info and its own metrics; no /version. */
  private _sglangRoute(route: string, { send }: Exchange): boolean {
    const model = this.options.model;
    switch (route) {
      case 'GET /get_model_info':
        send(
          200,
          JSON.stringify({
            model_path: model,
            tokenizer_path: model,
            is_generation: true,
            preferred_sampling_params: null,
          }),
        );
        return true;
      case 'GET /get_server_info':
        send(
          200,
          JSON.stringify({
            version: '0.0.0-simulated',
            model_path: model,
            context_length: this._maxModelLen,
            disable_radix_cache: false,
          }),
        );
        return true;
      case 'GET /metrics':
        send(200, dialectMetrics('sglang', this._counters, this._running), 'text/plain; version=0.0.4; charset=utf-8');
        return true;
      case 'GET /version':
        send(404, this._errorBody(404, 'Not Found', 'NotFoundError'));
        return true;
      default:
        return false; // /health, /v1/models and /v1/chat/completions as vLLM has them
    }
  }

  /** llama-server: /health, /props, its metrics and the native POST /completion with a raw prompt. */
  private async _llamaServerRoute(route: string, raw: string, exchange: Exchange): Promise<boolean> {
    const { send } = exchange;
    const model = this.options.model;
    const template = SIM_TEMPLATES[templateFamilyFor(model)];
    switch (route) {
      case 'GET /health':
        send(200, JSON.stringify({ status: 'ok' }));
        return true;
      case 'GET /props':
        send(
          200,
          JSON.stringify({
            default_generation_settings: { n_ctx: this._maxModelLen, params: { n_predict: -1, temperature: 0.8 } },
            total_slots: 4,
            model_path: `/models/${model.split('/').pop()}-simulated.gguf`,
            chat_template: template.jinja,
            bos_token: template.bos,
            eos_token: template.eos,
            build_info: 'b0000-simulated',
          }),
        );
        return true;
      case 'GET /metrics':
        send(200, dialectMetrics('llama-server', this._counters, this._running), 'text/plain; version=0.0.4');
        return true;
      case 'GET /version':
        send(404, this._errorBody(404, 'Not Found', 'NotFoundError'));
        return true;
      case 'POST /completion': {
        const body = jsonObject(raw, exchange.entry);
        const nProbs = typeof body.n_probs === 'number' ? body.n_probs : 0;
        await this._rawChat(asText(body.prompt ?? ''), exchange, 'llama-server', {
          stream: body.stream === true,
          stop: body.stop,
          max_tokens: typeof body.n_predict === 'number' && body.n_predict >= 0 ? body.n_predict : undefined,
          logprobs: nProbs > 0,
          top_logprobs: nProbs,
        });
        return true;
      }
      default:
        return false; // /v1/models as vLLM has it
    }
  }

  /** Ollama: its native /api routes (no /health, /version or /metrics); /v1/models as vLLM has it. */
  private async _ollamaRoute(route: string, raw: string, exchange: Exchange): Promise<boolean> {
    const { send } = exchange;
    const json = (value: unknown) => send(200, JSON.stringify(value));
    switch (route) {
      case 'GET /':
        send(200, 'Ollama is running', 'text/plain; charset=utf-8');
        return true;
      case 'GET /api/version':
        json({ version: this.options.ollamaVersion ?? '0.12.11' });
        return true;
      case 'GET /api/tags':
        json({ models: [this._ollamaModel()] });
        return true;
      case 'GET /api/ps': {
        const expires = new Date(Date.now() + 300_000).toISOString();
        json({ models: [{ ...this._ollamaModel(), expires_at: expires, size_vram: 1, context_length: 4096 }] });
        return true;
      }
      case 'POST /api/show':
        this._ollamaShow(jsonObject(raw, exchange.entry), exchange);
        return true;
      case 'POST /api/generate':
        await this._ollamaGenerate(jsonObject(raw, exchange.entry), exchange);
        return true;
      default:
        if (ENGINE_PROBES.includes(route)) {
          send(404, '404 page not found', 'text/plain');
          return true;
        }
        return false; // /v1/models as vLLM has it (Ollama's OpenAI-compatible list)
    }
  }

  /**
   * A hosted OpenAI-compatible provider: GET /v1/models and POST /v1/completions with a raw prompt and
   * `logprobs` as a count (legacy completions), the chat endpoint as vLLM has it; none of an engine's own routes.
   */
  private async _openaiRoute(route: string, raw: string, exchange: Exchange): Promise<boolean> {
    switch (route) {
      case 'POST /v1/completions': {
        const body = jsonObject(raw, exchange.entry);
        if (body.model !== undefined && body.model !== this.options.model) {
          throw new HttpError(404, `The model \`${asText(body.model)}\` does not exist.`, 'invalid_request_error');
        }
        const logprobs = typeof body.logprobs === 'number' ? body.logprobs : 0;
        await this._rawChat(asText(body.prompt ?? ''), exchange, 'openai', {
          stream: body.stream === true,
          stream_options: body.stream_options,
          stop: body.stop,
          max_tokens: typeof body.max_tokens === 'number' ? body.max_tokens : 16, // OpenAI's default
          logprobs: logprobs > 0,
          top_logprobs: logprobs,
        });
        return true;
      }
      default:
        if (ENGINE_PROBES.includes(route)) {
          exchange.send(404, this._errorBody(404, `Unknown request URL: ${route}`, 'invalid_request_error'));
          return true;
        }
        return false; // /v1/models and /v1/chat/completions as vLLM has them
    }
  }

  /**
   * vLLM's and SGLang's POST /v1/completions: a raw prompt (answered as the provider route answers it), or a
   * list of prompts answered in one reply, one choice per prompt with its place in the list as `index`
   * (vLLM serving_completion.py; SGLang serving_completions.py hands a list of strings to the engine as one batch).
   */
  private async _completions(raw: string, exchange: Exchange): Promise<void> {
    const body = jsonObject(raw, exchange.entry);
    if (body.model !== undefined && body.model !== this.options.model) {
      throw new HttpError(404, `The model \`${asText(body.model)}\` does not exist.`, 'NotFoundError');
    }
    const logprobs = typeof body.logprobs === 'number' ? body.logprobs : 0;
    const fields = {
      stream: body.stream === true,
      stream_options: body.stream_options,
      stop: body.stop,
      max_tokens: typeof body.max_tokens === 'number' ? body.max_tokens : 16, // vLLM's default for completions
      logprobs: logprobs > 0,
      top_logprobs: logprobs,
    };
    if (!Array.isArray(body.prompt)) {
      return this._rawChat(asText(body.prompt ?? ''), exchange, 'openai', fields);
    }
    if (fields.stream) {
      throw new HttpError(400, 'the simulator serves prompt lists only without streaming', 'BadRequestError');
    }
    return this._promptList(body.prompt, exchange, fields);
  }

  /** Each prompt of a list read back into its chat, classified and counted (400 for one the model cannot read). */
  private _readPromptList(
    prompts: unknown[],
    fields: Pick<ChatBody, 'stop' | 'max_tokens' | 'logprobs' | 'top_logprobs'>,
  ) {
    if (prompts.length === 0 || prompts.some((p) => typeof p !== 'string' || p === '')) {
      throw new HttpError(
        400,
        'prompt: a list of non-empty strings (the simulator takes no token ids)',
        'BadRequestError',
      );
    }
    return (prompts as string[]).map((prompt) => {
      const { body } = this._readPrompt(prompt, 'BadRequestError', fields);
      const request = this._classify(body);
      return { request, prompt: this._prompt(body, request.continueFinal) };
    });
  }

  /**
   * A prompt list: every prompt read back into its chat and answered as that chat would be, in ONE request:
   * the prompts share their context, so each finds in the prefix cache what the ones before it left (the
   * prefill is paid once for the shared prefix), and their tokens decode side by side. A fault meant for any
   * of the prompts hits the whole request, as a failing request does.
   */
  private async _promptList(
    prompts: unknown[],
    exchange: Exchange,
    fields: Pick<ChatBody, 'stop' | 'max_tokens' | 'logprobs' | 'top_logprobs'>,
  ): Promise<void> {
    const { entry, res, send } = exchange;
    const items = this._readPromptList(prompts, fields);
    entry.kind = items[0]!.request.kind;
    entry.stepIndex = items[0]!.request.stepIndex;
    entry.prompts = items.map(({ request }) => ({ kind: request.kind, stepIndex: request.stepIndex }));
    let fault: Fault | undefined;
    for (const { request } of items) {
      fault = this._takeFault(request.kind, request.stepIndex);
      if (fault) {
        break;
      }
    }
    if (fault && !REPLY_FAULTS.includes(fault)) {
      return this._fault(fault, exchange);
    }
    entry.fault = fault;
    const replies = items.map(({ request, prompt }) => this._compose(request, prompt.budget, fault));
    let uncached = 0;
    let cachedTokens = 0;
    for (const { prompt } of items) {
      const cached = this._cachedPrefix(prompt.tokens);
      cachedTokens += cached;
      uncached += prompt.tokens.length - cached;
      this._remember(prompt.tokens);
    }
    const promptTokens = items.reduce((sum, { prompt }) => sum + prompt.tokens.length, 0);
    const completionTokens = replies.reduce((sum, r) => sum + r.completionTokens, 0);
    entry.promptTokens = promptTokens;
    entry.cachedTokens = cachedTokens;
    entry.completionTokens = completionTokens;
    this._running++;
    try {
      const latency = this.options.latency ?? ZERO_LATENCY;
      const slowdown = () =>
        1 + latency.overlapSlowdown * Math.max(0, this._running - 1) ** (latency.overlapExponent ?? 1);
      const firstAt = nowMs() + latency.overheadMs + latency.prefillMsPerToken * uncached * slowdown();
      const client = this._closeWatch(res);
      const decode = Math.max(...replies.map((r) => r.completionTokens));
      await client.waitUntil(firstAt + latency.decodeMsPerToken * decode * slowdown());
      if (client.closed()) {
        return;
      }
      const wantLogprobs = fields.logprobs === true && fault !== 'missing-logprobs';
      const choices = replies.map((reply, index) => {
        const toSend = { ...reply, promptTokens: 0, fault, wantLogprobs, includeUsage: false };
        return {
          index,
          text: reply.tokens.join(''),
          logprobs: wantLogprobs ? legacyLogprobs(reply.tokens.map((t) => this._logprobsFor(toSend, t))) : null,
          finish_reason: reply.finishReason,
          stop_reason: reply.stopReason,
          prompt_logprobs: null,
        };
      });
      send(
        200,
        JSON.stringify({
          id: `cmpl-${randomUUID().replace(/-/g, '')}`,
          object: 'text_completion',
          created: Math.floor(Date.now() / 1000),
          model: this.options.model,
          choices,
          usage: {
            prompt_tokens: promptTokens,
            total_tokens: promptTokens + completionTokens,
            completion_tokens: completionTokens,
            prompt_tokens_details: null,
          },
        }),
      );
      this._counters.promptTokens += promptTokens;
      this._counters.generationTokens += completionTokens;
    } finally {
      this._running--;
    }
  }

  /** Whether an Ollama request names the served model; answers 404 as Ollama does when it does not. */
  private _ollamaKnows(body: Record<string, unknown>, { send }: Exchange, notFound: string): boolean {
    if (body.model === this.options.model || body.model === `${this.options.model}:latest`) {
      return true;
    }
    send(404, this._errorBody(404, `model '${String(body.model)}' not found${notFound}`, 'not_found'));
    return false;
  }

  private _ollamaShow(body: Record<string, unknown>, exchange: Exchange): void {
    if (!this._ollamaKnows(body, exchange, '')) {
      return;
    }
    exchange.send(
      200,
      JSON.stringify({
        template: this.options.goTemplate
          ? SIM_GO_TEMPLATE
          : SIM_TEMPLATES[templateFamilyFor(this.options.model)].jinja,
        details: this._ollamaModel().details,
        model_info: { 'general.architecture': 'qwen2', 'qwen2.context_length': this._maxModelLen },
        capabilities: ['completion', 'thinking'],
      }),
    );
  }

  private async _ollamaGenerate(body: Record<string, unknown>, exchange: Exchange): Promise<void> {
    if (!this._ollamaKnows(body, exchange, ', try pulling it first')) {
      return;
    }
    const options = (body.options && typeof body.options === 'object' ? body.options : {}) as Record<string, unknown>;
    const prompt = asText(body.prompt ?? '');
    const numCtx = typeof options.num_ctx === 'number' ? options.num_ctx : 4096;
    exchange.entry.truncated = simTokenize(prompt).length > numCtx;
    const wantLogprobs = body.logprobs === true && ollamaHasLogprobs(this.options.ollamaVersion ?? '0.12.11');
    const common = {
      stream: body.stream !== false, // Ollama streams unless told not to
      stop: options.stop,
      max_tokens: typeof options.num_predict === 'number' && options.num_predict >= 0 ? options.num_predict : undefined,
      logprobs: wantLogprobs,
      top_logprobs: wantLogprobs && typeof body.top_logprobs === 'number' ? body.top_logprobs : 0,
    };
    if (body.raw === true) {
      return this._rawChat(prompt, exchange, 'ollama', common);
    }
    // Without raw, Ollama renders the prompt as one user message in the model's template.
    const chat = { model: this.options.model, messages: [{ role: 'user', content: prompt }], ...common };
    return this._chat({ ...chat, continue_final_message: false, add_generation_prompt: true }, exchange, 'ollama');
  }

  private get _maxModelLen(): number {
    return this.options.maxModelLen ?? 32768;
  }

  private _ollamaModel() {
    return {
      name: this.options.model,
      model: this.options.model,
      modified_at: new Date(0).toISOString(),
      size: 1,
      digest: 'simulated',
      details: {
        format: 'gguf',
        family: 'qwen2',
        families: ['qwen2'],
        parameter_size: 'simulated',
        quantization_level: 'Q4_K_M',
      },
    };
  }

  /**
   * A raw prompt read back into the chat request it renders, with the request's other fields (400 when the
   * simulated model cannot read it).
   */
  private _readPrompt(prompt: string, errorType: string, fields: Partial<ChatBody>) {
    const family = templateFamilyFor(this.options.model);
    const parsed = parseRawPrompt(prompt, family);
    if (!parsed) {
      throw new HttpError(
        400,
        `the simulated ${family} model cannot read this prompt: ${JSON.stringify(prompt.slice(0, 80))}`,
        errorType,
      );
    }
    const body: ChatBody = {
      rawPrompt: prompt,
      model: this.options.model,
      messages: parsed.messages,
      continue_final_message: parsed.continueFinal,
      add_generation_prompt: !parsed.continueFinal,
      ...fields,
    };
    return { body, doubleBos: parsed.doubleBos };
  }

  /** A raw prompt read back into the chat it renders, then answered like one. */
  private async _rawChat(
    prompt: string,
    exchange: Exchange,
    writer: RawWriter,
    fields: Pick<ChatBody, 'stream' | 'stream_options' | 'stop' | 'max_tokens' | 'logprobs' | 'top_logprobs'>,
  ): Promise<void> {
    const { body, doubleBos } = this._readPrompt(prompt, 'invalid_request_error', fields);
    exchange.entry.doubleBos = doubleBos;
    await this._chat(body, exchange, writer);
  }

  /** A reply of a raw-prompt dialect (its framing from rawReplies.ts), streamed or whole. Resolves true when complete. */
  private async _rawReply(
    writer: RawWriter,
    stream: boolean,
    reply: ReplyToSend & { cached: number },
    firstAt: number,
    slowdown: () => number,
    exchange: Exchange,
  ): Promise<boolean> {
    const { entry, req, res, send } = exchange;
    const latency = this.options.latency ?? ZERO_LATENCY;
    const client = this._closeWatch(res);
    const usage = reply.includeUsage || !stream ? this._usage(reply) : undefined;
    const format = RAW_FORMATS[writer]({
      ...reply,
      model: this.options.model,
      usage: reply.fault === 'no-usage-chunk' ? undefined : usage,
    });
    const cutAt = reply.fault === 'hang-mid-stream' || reply.fault === 'drop-mid-stream' ? 3 : Infinity;
    const cut = () => {
      if (reply.fault === 'drop-mid-stream') {
        req.socket.destroy();
      }
      return false; // hang: leave the response open until the client leaves
    };
    if (!stream) {
      await client.waitUntil(firstAt + latency.decodeMsPerToken * reply.completionTokens * slowdown());
      if (client.closed() || cutAt < Infinity) {
        return client.closed() ? false : cut();
      }
      const logprobs =
        reply.wantLogprobs && reply.fault !== 'missing-logprobs'
          ? reply.tokens.map((token) => this._logprobsFor(reply, token))
          : undefined;
      send(200, JSON.stringify(format.body(logprobs)), 'application/json; charset=utf-8');
      return true;
    }
    entry.status = 200;
    res.writeHead(200, { 'content-type': format.streamType, 'cache-control': 'no-cache' });
    await client.waitUntil(firstAt);
    let at = nowMs();
    for (let i = 0; i < reply.tokens.length; i++) {
      if (client.closed()) {
        return false;
      }
      if (cutAt < Infinity && i === Math.min(cutAt, reply.tokens.length - 1)) {
        return cut();
      }
      at += latency.decodeMsPerToken * slowdown();
      await client.waitUntil(at);
      if (client.closed()) {
        return false;
      }
      res.write(format.token(i, reply.tokens[i]!));
    }
    if (client.closed()) {
      return false;
    }
    res.end(format.end());
    return true;
  }

  private _models() {
    const created = Math.floor(Date.now() / 1000);
    return {
      object: 'list',
      data: [
        {
          id: this.options.model,
          object: 'model',
          created,
          owned_by: 'specreason-simulator', // vLLM says "vllm"; this labels the simulation
          root: this.options.model,
          parent: null,
          max_model_len: this.options.maxModelLen ?? 32768,
          permission: [
            {
              id: `modelperm-${randomUUID().replace(/-/g, '')}`,
              object: 'model_permission',
              created,
              allow_create_engine: false,
              allow_sampling: true,
              allow_logprobs: true,
              allow_search_indices: false,
              allow_view: true,
              allow_fine_tuning: false,
              organization: '*',
              group: null,
              is_blocking: false,
            },
          ],
        },
      ],
    };
  }

  private _metrics(): string {
    const label = `{model_name="${this.options.model}",engine="0"}`;
    const c = this._counters;
    const lines = [
      '# TYPE vllm:num_requests_running gauge',
      `vllm:num_requests_running${label} ${this._running}.0`,
      '# TYPE vllm:prompt_tokens_total counter',
      `vllm:prompt_tokens_total${label} ${c.promptTokens}.0`,
      '# TYPE vllm:generation_tokens_total counter',
      `vllm:generation_tokens_total${label} ${c.generationTokens}.0`,
      '# TYPE vllm:prefix_cache_queries_total counter',
      `vllm:prefix_cache_queries_total${label} ${c.cacheQueries}.0`,
      '# TYPE vllm:prefix_cache_hits_total counter',
      `vllm:prefix_cache_hits_total${label} ${c.cacheHits}.0`,
      '# TYPE vllm:cache_config_info gauge',
      `vllm:cache_config_info{block_size="${BLOCK}",enable_prefix_caching="${this.options.prefixCaching === false ? 'False' : 'True'}",engine="0"} 1.0`,
    ];
    if (this.options.specDecode) {
      // A draft model proposing 5 tokens per step with ~70 % accepted.
      const drafts = Math.floor(c.generationTokens / 3);
      lines.push(
        '# TYPE vllm:spec_decode_num_drafts_total counter',
        `vllm:spec_decode_num_drafts_total${label} ${drafts}.0`,
        '# TYPE vllm:spec_decode_num_draft_tokens_total counter',
        `vllm:spec_decode_num_draft_tokens_total${label} ${drafts * 5}.0`,
        '# TYPE vllm:spec_decode_num_accepted_tokens_total counter',
        `vllm:spec_decode_num_accepted_tokens_total${label} ${Math.floor(drafts * 3.5)}.0`,
      );
    }
    return lines.join('\n') + '\n';
  }

  private _fault(fault: Fault, exchange: Exchange): void {
    const { entry, req, res, send } = exchange;
    entry.fault = fault;
    switch (fault) {
      case 'http500':
        return send(500, this._errorBody(500, 'Simulated internal server error', 'InternalServerError'));
      case 'http503':
        return send(503, this._errorBody(503, 'Simulated: service unavailable', 'ServiceUnavailable'));
      case 'http401':
        return send(401, JSON.stringify({ error: 'Unauthorized' }));
      case 'http404-model':
        return send(
          404,
          this._errorBody(404, `The model \`${asText(entry.body?.model)}\` does not exist.`, 'NotFoundError'),
        );
      case 'context-overflow':
        return send(
          400,
          this._errorBody(
            400,
            `This model's maximum context length is ${this.options.maxModelLen ?? 32768} tokens. However, your request has ${(this.options.maxModelLen ?? 32768) + 1} input tokens. Please reduce the length of the input messages.`,
            'BadRequestError',
          ),
        );
      case 'reset':
        req.socket.destroy();
        return;
      case 'hang':
        return; // the entry ends when the client gives up
      case 'malformed-json':
        entry.status = 200;
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id": "chatcmpl-broken", "choices": [{"index": 0, "message": ');
        return;
      case 'html500':
      case 'html502': {
        const status = fault === 'html500' ? 500 : 502;
        const title = status === 500 ? '500 Internal Server Error' : '502 Bad Gateway';
        return send(
          status,
          `<!DOCTYPE html>\n<html><head><title>${title}</title><script>document.title = "pwned"; alert(1)</script>` +
            `<style>body{font-family:sans-serif}</style></head>\n<body><h1>${title}</h1>${'<p>nginx</p>'.repeat(40)}</body></html>`,
          'text/html; charset=utf-8',
        );
      }
      case 'stall-after-headers':
        entry.status = 200;
        res.writeHead(200, {
          'content-type': entry.body?.stream === true ? 'text/event-stream; charset=utf-8' : 'application/json',
        });
        res.flushHeaders();
        return; // the entry ends when the client gives up
      case 'empty-body':
        return send(200, '');
      case 'null-body':
        return send(200, 'null');
      default:
        throw new Error(`fault ${fault} is handled in the reply`);
    }
  }

  /** POST /v1/chat/completions, in the phases vLLM goes through. */
  private async _chat(body: ChatBody, exchange: Exchange, writer: 'chat' | RawWriter = 'chat'): Promise<void> {
    const { entry } = exchange;
    if (writer === 'chat') {
      this._validate(body);
    }
    const request = this._classify(body);
    entry.kind = request.kind;
    entry.stepIndex = request.stepIndex;
    const prompt = this._prompt(body, request.continueFinal);
    const fault = this._takeFault(request.kind, request.stepIndex);
    if (fault && !REPLY_FAULTS.includes(fault) && !(fault === 'malformed-json' && body.stream === true)) {
      return this._fault(fault, exchange);
    }
    entry.fault = fault;
    const reply = this._withChoices(body, request, this._compose(request, prompt.budget, fault), prompt.budget);
    const cached = this._cachedPrefix(prompt.tokens);
    entry.promptTokens = prompt.tokens.length;
    entry.cachedTokens = cached;
    entry.completionTokens = reply.completionTokens;

    this._running++;
    try {
      const latency = this.options.latency ?? ZERO_LATENCY;
      const slowdown = () =>
        1 + latency.overlapSlowdown * Math.max(0, this._running - 1) ** (latency.overlapExponent ?? 1);
      const firstAt =
        nowMs() + latency.overheadMs + latency.prefillMsPerToken * (prompt.tokens.length - cached) * slowdown();
      const toSend: ReplyToSend = {
        ...reply,
        promptTokens: prompt.tokens.length,
        fault,
        wantLogprobs: body.logprobs === true,
        // vLLM sends the usage chunk when stream_options exists, unless include_usage is false.
        includeUsage:
          body.stream_options !== undefined &&
          (body.stream_options as { include_usage?: boolean }).include_usage !== false,
      };
      const completed =
        writer !== 'chat'
          ? await this._rawReply(writer, body.stream === true, { ...toSend, cached }, firstAt, slowdown, exchange)
          : body.stream === true && fault !== 'not-sse'
            ? await this._streamReply(toSend, firstAt, slowdown, exchange)
            : await this._jsonReply(toSend, firstAt, slowdown, exchange);
      if (completed) {
        // Only finished work reaches the cache and the counters, as in vLLM's V1 engine.
        this._remember([...prompt.tokens, ...reply.tokens]);
        this._counters.promptTokens += prompt.tokens.length;
        this._counters.generationTokens += reply.completionTokens;
      }
    } finally {
      this._running--;
    }
  }

  /**
   * `n` > 1: n choices of one step request (vLLM decodes them side by side, so the reply takes as long as the
   * longest). The simulator serves n > 1 only on step requests and not streamed: what multi-draft sends.
   */
  private _withChoices(body: ChatBody, request: ChatRequest, reply: ModelReply, budget: number): ModelReply {
    const n = body.n === undefined || body.n === null ? 1 : body.n;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new HttpError(400, `n must be at least 1, got ${asText(n)}.`, 'BadRequestError');
    }
    if (n === 1) {
      return reply;
    }
    if (request.kind !== 'step' || body.stream === true) {
      throw new HttpError(400, 'the simulator serves n > 1 only on non-streamed step requests', 'BadRequestError');
    }
    const choices = draftChoices(this.options.script, request.stepIndex, n, request, budget);
    const first = choices[0]!;
    const completionTokens = choices.reduce((sum, c) => sum + c.completionTokens, 0);
    const decodeTokens = Math.max(...choices.map((c) => c.completionTokens));
    return { ...reply, ...first, completionTokens, decodeTokens, choices };
  }

  /** Validation, as vLLM does it (§2 of the reference). */
  private _validate(body: ChatBody): void {
    if (body.model !== undefined && body.model !== this.options.model) {
      throw new HttpError(404, `The model \`${asText(body.model)}\` does not exist.`, 'NotFoundError');
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      throw new HttpError(400, 'messages: Field required', 'BadRequestError');
    }
    const continueFinal = body.continue_final_message === true;
    // SGLang has no add_generation_prompt: a continued turn is popped and appended after the generation prompt.
    const addGenerationPrompt = this._dialect === 'sglang' ? !continueFinal : (body.add_generation_prompt ?? true);
    if (continueFinal && body.add_generation_prompt === true) {
      throw new HttpError(
        400,
        '1 validation error for ChatCompletionRequest\n  Value error, Cannot set both `continue_final_message` and `add_generation_prompt` to True. [type=value_error]',
        'BadRequestError',
      );
    }
    if (continueFinal && addGenerationPrompt === true) {
      throw new HttpError(
        400,
        'continue_final_message and add_generation_prompt are not compatible. Use continue_final_message when you want the model to continue the final message, and add_generation_prompt when you want to add a header that will prompt it to start a new assistant message instead.',
        'BadRequestError',
      );
    }
    if (body.stream_options !== undefined && body.stream !== true) {
      throw new HttpError(400, 'Stream options can only be defined when `stream=True`.', 'BadRequestError');
    }
    const topLogprobs = topLogprobsOf(body);
    if (topLogprobs > 0 && body.logprobs !== true) {
      throw new HttpError(400, 'when using `top_logprobs`, `logprobs` must be set to true.', 'BadRequestError');
    }
    if (topLogprobs > (this.options.maxLogprobs ?? 20)) {
      throw new HttpError(
        400,
        `Requested sample logprobs of ${topLogprobs}, which is greater than max allowed: ${this.options.maxLogprobs ?? 20}`,
        'BadRequestError',
      );
    }
    const last = messages[messages.length - 1]!;
    if (continueFinal && (last.role !== 'assistant' || asText(last.content).includes('</think>'))) {
      throw new HttpError(
        400,
        'continue_final_message is set but the final message does not appear in the chat after applying the chat template! This can happen if the chat template deletes portions of the final message. Please verify the chat template and final message in your chat to check for this issue.',
        'BadRequestError',
      );
    }
  }

  /** Which request is this? Score: the judge prefill; step: a stop at "\n\n"; else a full generation. */
  private _classify(body: ChatBody): ChatRequest {
    const messages = body.messages!;
    const last = messages[messages.length - 1]!;
    const continueFinal = body.continue_final_message === true;
    const user = asText(messages[0]?.content ?? '');
    const isScore = continueFinal && last.content === SIM_SCORE_PREFILL;
    const prefill = isScore ? asText(messages[1]?.content ?? '') : continueFinal ? asText(last.content) : '';
    const previous = prefill.startsWith('<think>')
      ? prefill.slice('<think>'.length).replace(/\n\n$/, '').split('\n\n')
      : [];
    const stops = Array.isArray(body.stop) ? body.stop.map(String) : typeof body.stop === 'string' ? [body.stop] : [];
    const kind = isScore ? 'score' : isFirstTokenProbe(body) ? 'first-token' : stops.includes('\n\n') ? 'step' : 'full';
    return {
      kind,
      stepIndex: isScore ? previous.length - 1 : previous.length,
      user,
      previous,
      continueFinal,
      topLogprobs: topLogprobsOf(body),
      probe: continueFinal && asText(last.content) === SIM_PROBE_PREFILL,
    };
  }

  /** A ChatML-like rendering (what the simulated model's prompt costs), with the generation prompt for a fresh turn. */
  private _chatml(messages: NonNullable<ChatBody['messages']>, continueFinal: boolean): string {
    return (
      messages
        .map(
          (m, i) =>
            `<|im_start|>${asText(m.role)}\n${asText(m.content)}${continueFinal && i === messages.length - 1 ? '' : '<|im_end|>\n'}`,
        )
        .join('') + (continueFinal ? '' : '<|im_start|>assistant\n<think>\n')
    );
  }

  /** Prompt accounting: a ChatML-like rendering and the context limit. */
  private _prompt(body: ChatBody, continueFinal: boolean): { tokens: string[]; budget: number } {
    const messages = body.messages!;
    const sglangContinues = this._dialect === 'sglang' && continueFinal;
    const rendered =
      body.rawPrompt ??
      (sglangContinues
        ? this._chatml(messages.slice(0, -1), false) + asText(messages[messages.length - 1]!.content)
        : this._chatml(messages, continueFinal));
    const tokens = simTokenize(rendered);
    const maxTokens = Number(body.max_completion_tokens ?? body.max_tokens ?? 0) || undefined;
    const maxModelLen = this.options.maxModelLen ?? 32768;
    if (tokens.length >= maxModelLen) {
      throw new HttpError(
        400,
        `This model's maximum context length is ${maxModelLen} tokens. However, your request has ${tokens.length} input tokens. Please reduce the length of the input messages.`,
        'BadRequestError',
      );
    }
    if (maxTokens !== undefined && tokens.length + maxTokens > maxModelLen) {
      throw new HttpError(
        400,
        `'max_tokens' or 'max_completion_tokens' is too large: ${maxTokens}. This model's maximum context length is ${maxModelLen} tokens and your request has ${tokens.length} input tokens (${maxTokens} > ${maxModelLen} - ${tokens.length}).`,
        'BadRequestError',
      );
    }
    return { tokens, budget: maxTokens ?? maxModelLen - tokens.length };
  }

  /** What the model says: the script's text, cut at the budget or the stop string. */
  private _compose(request: ChatRequest, budget: number, fault: Fault | undefined): ModelReply {
    let tokens: string[];
    let finishReason: 'stop' | 'length' = 'stop';
    let stopReason: string | null = null;
    let sampled: ModelReply['sampled'];
    if (request.probe) {
      // A model continues the count; a server that opened a new turn gets a fresh start instead.
      const text = fault === 'new-turn' ? '<think>\nOkay, counting in words: one, two' : ' four, five, six,';
      tokens = simTokenize(text).slice(0, budget);
      finishReason = tokens.length >= budget ? 'length' : 'stop';
    } else if (request.kind === 'score') {
      const reply =
        this.options.script.score?.(request.stepIndex, request.previous[request.previous.length - 1] ?? '', request) ??
        9;
      sampled =
        typeof reply === 'number'
          ? { token: String(reply), top: [[String(reply), -0.05], ...digitsAround(reply)] }
          : { token: reply.sampled, top: reply.top };
      tokens = [sampled.token];
      finishReason = 'length';
    } else if (request.kind === 'first-token') {
      const reply = firstTokenReply(this.options.script, request.stepIndex, request);
      sampled = { token: reply.sampled, top: reply.top };
      tokens = [sampled.token];
      finishReason = 'length';
    } else if (request.kind === 'step') {
      tokens = simTokenize(this.options.script.step(request.stepIndex, request));
      if (tokens.length >= budget) {
        tokens = tokens.slice(0, budget);
        finishReason = 'length';
      } else {
        stopReason = '\n\n';
      }
    } else {
      // A full generation: steps one after another until one gives the answer, then EOS.
      const text: string[] = [];
      for (let i = request.stepIndex; i < request.stepIndex + 10_000; i++) {
        const step = this.options.script.step(i, { user: request.user, previous: [...request.previous, ...text] });
        text.push(step);
        if (/boxed|Answer:|ANSWER:/.test(step)) {
          break;
        }
      }
      tokens = simTokenize(text.join('\n\n'));
      if (tokens.length > budget) {
        tokens = tokens.slice(0, budget);
        finishReason = 'length';
      }
    }
    if (fault === 'new-turn' && request.continueFinal && !request.probe && request.kind !== 'score') {
      tokens = [...simTokenize('<think>\n'), ...tokens];
    }
    if (fault === 'oversize-step') {
      const word = tokens.find((t) => t.trim()) ?? ' word';
      tokens = Array.from({ length: 50 * budget }, () => word);
      finishReason = 'length';
      stopReason = null;
    }
    // The stop string's token is generated (and counted) but not returned.
    const completionTokens = tokens.length + (stopReason ? 1 : 0);
    const topLogprobs = Math.min(request.topLogprobs, this.options.topLogprobsCap ?? Infinity);
    return { tokens, finishReason, stopReason, sampled, completionTokens, topLogprobs };
  }

  /** The usage object, or the broken one a fault asks for. */
  private _usage(reply: ReplyToSend): Record<string, unknown> {
    const badCompletionTokens: Partial<Record<Fault, unknown>> = {
      'usage-zero': 0,
      'usage-negative': -5,
      'usage-null': null,
      'usage-fraction': 2.5,
      'usage-string': '7',
    };
    const completion =
      reply.fault && reply.fault in badCompletionTokens ? badCompletionTokens[reply.fault] : reply.completionTokens;
    return {
      prompt_tokens: reply.promptTokens,
      total_tokens: reply.promptTokens + reply.completionTokens,
      completion_tokens: completion,
    };
  }

  private _logprobsFor(reply: ReplyToSend, token: string) {
    const sampled = reply.sampled;
    const top = (sampled?.top ?? [[token, -0.01]])
      .slice(0, reply.topLogprobs)
      .map(([t, lp]) => ({ token: t, logprob: lp, bytes: [...Buffer.from(t)] }));
    return {
      token,
      logprob: sampled?.token === token ? (sampled.top.find((t) => t[0] === token)?.[1] ?? -0.05) : -0.01,
      bytes: [...Buffer.from(token)],
      top_logprobs: reply.fault === 'null-top-logprobs-entry' ? [null, ...top.slice(1)] : top,
    };
  }

  /** Resolves once the client has gone, and tells whether it has. */
  private _closeWatch(res: http.ServerResponse) {
    let closed = false;
    const whenClosed = new Promise<void>((resolve) =>
      res.on('close', () => {
        closed = true;
        resolve();
      }),
    );
    return {
      closed: () => closed,
      waitUntil: async (at: number) => {
        const d = at - nowMs();
        if (d > 1) {
          await Promise.race([sleep(d), whenClosed]);
        }
      },
    };
  }

  /** SSE: role chunk, content chunks, finishing chunk, usage chunk, [DONE]. Resolves true when complete. */
  private async _streamReply(
    reply: ReplyToSend,
    firstAt: number,
    slowdown: () => number,
    exchange: Exchange,
  ): Promise<boolean> {
    const { entry, req, res } = exchange;
    const { fault } = reply;
    const latency = this.options.latency ?? ZERO_LATENCY;
    const client = this._closeWatch(res);
    const id = `chatcmpl-${randomUUID().replace(/-/g, '')}`;
    const created = Math.floor(Date.now() / 1000);
    const model = this.options.model;
    const field = this.options.reasoningField ?? 'content';
    entry.status = 200;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    const event = (obj: unknown) => res.write(`data: ${JSON.stringify(obj)}\n\n`);
    const chunk = (delta: Record<string, unknown>, extra: Record<string, unknown> = {}, logprobs: unknown = null) =>
      event({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        choices: [{ index: 0, delta, logprobs, finish_reason: null, ...extra }],
      });
    await client.waitUntil(firstAt);
    if (client.closed()) {
      return false;
    }
    chunk({ role: 'assistant', content: '' });
    if (fault === 'stream-error-event') {
      res.write(`data: ${JSON.stringify({ error: this._streamError('Simulated engine failure') })}\n\n`);
      res.end('data: [DONE]\n\n');
      return false;
    }
    if (fault === 'endless-drip') {
      for (let i = 0; !client.closed(); i++) {
        chunk({ [field]: ' drip' });
        if (i % 20 === 19) {
          await sleep(1);
        }
      }
      return false;
    }
    let at = nowMs();
    const { tokens } = reply;
    for (let i = 0; i < tokens.length; i++) {
      if (client.closed()) {
        return false;
      }
      if ((fault === 'drop-mid-stream' || fault === 'hang-mid-stream') && i === Math.min(3, tokens.length - 1)) {
        if (fault === 'drop-mid-stream') {
          req.socket.destroy();
        }
        return false; // hang: leave the response open until the client leaves
      }
      if (fault === 'malformed-json' && i === 1) {
        res.write('data: {"id": "broken", "choices": [\n\n');
      }
      at += latency.decodeMsPerToken * slowdown();
      await client.waitUntil(at);
      if (client.closed()) {
        return false;
      }
      const token = tokens[i]!;
      const logprobs =
        reply.wantLogprobs && fault !== 'missing-logprobs' ? { content: [this._logprobsFor(reply, token)] } : null;
      if (
        !res.write(
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta: { [field]: token }, logprobs, finish_reason: null }] })}\n\n`,
        )
      ) {
        await drained(res);
      }
    }
    if (reply.stopReason) {
      at += latency.decodeMsPerToken * slowdown();
      await client.waitUntil(at);
    }
    if (client.closed()) {
      return false;
    }
    chunk({}, { finish_reason: reply.finishReason, stop_reason: reply.stopReason });
    const usage = reply.includeUsage && fault !== 'no-usage-chunk';
    if (usage) {
      event({ id, object: 'chat.completion.chunk', created, model, choices: [], usage: this._usage(reply) });
    }
    res.end('data: [DONE]\n\n');
    return true;
  }

  /** One JSON completion once the whole reply is generated. Resolves true when complete. */
  private async _jsonReply(
    reply: ReplyToSend,
    firstAt: number,
    slowdown: () => number,
    exchange: Exchange,
  ): Promise<boolean> {
    const { entry, req, res, send } = exchange;
    const { fault } = reply;
    const latency = this.options.latency ?? ZERO_LATENCY;
    const client = this._closeWatch(res);
    if (fault === 'hang-mid-stream' || fault === 'drop-mid-stream') {
      await client.waitUntil(firstAt);
      if (fault === 'drop-mid-stream') {
        req.socket.destroy();
      }
      return false;
    }
    if (fault === 'endless-drip') {
      // Headers, then a space every millisecond: a body that never ends.
      entry.status = 200;
      res.writeHead(200, { 'content-type': 'application/json' });
      while (!client.closed()) {
        res.write(' ');
        await sleep(1);
      }
      return false;
    }
    const decodeTokens = reply.decodeTokens ?? reply.completionTokens;
    await client.waitUntil(firstAt + latency.decodeMsPerToken * decodeTokens * slowdown());
    if (client.closed()) {
      return false;
    }
    if (reply.choices) {
      send(200, JSON.stringify(this._choicesBody(reply)));
      return true;
    }
    const text = reply.tokens.join('');
    const field = this.options.reasoningField ?? 'content';
    const message: Record<string, unknown> = {
      role: 'assistant',
      reasoning_content: null,
      content: null,
      tool_calls: [],
    };
    message[field] = text;
    if (field !== 'content' && this.options.reasoningField === 'reasoning') {
      delete message.reasoning_content;
    }
    const logprobs =
      reply.wantLogprobs && fault !== 'missing-logprobs'
        ? { content: reply.tokens.map((t) => this._logprobsFor(reply, t)) }
        : null;
    const completion: Record<string, unknown> = {
      id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.options.model,
      choices: [{ index: 0, message, logprobs, finish_reason: reply.finishReason, stop_reason: reply.stopReason }],
      usage: { ...this._usage(reply), prompt_tokens_details: null },
      prompt_logprobs: null,
    };
    if (fault === 'no-usage-chunk') {
      delete completion.usage;
    }
    send(200, JSON.stringify(completion));
    return true;
  }

  /** The JSON body of an n > 1 reply: one choice per draft, the usage counting them all. */
  private _choicesBody(reply: ReplyToSend): Record<string, unknown> {
    const field = this.options.reasoningField ?? 'content';
    return {
      id: `chatcmpl-${randomUUID().replace(/-/g, '')}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: this.options.model,
      choices: reply.choices!.map((c, index) => ({
        index,
        message: { role: 'assistant', content: null, [field]: c.tokens.join(''), tool_calls: [] },
        logprobs: null,
        finish_reason: c.finishReason,
        stop_reason: c.stopReason,
      })),
      usage: { ...this._usage(reply), prompt_tokens_details: null },
      prompt_logprobs: null,
    };
  }

  private _streamError(message: string) {
    return versionAtMost(this.options.version ?? '0.11.0', '0.10.0')
      ? { object: 'error', message, type: 'InternalServerError', param: null, code: 500 }
      : { message, type: 'InternalServerError', param: null, code: 500 };
  }

  private _blockKeys(tokens: readonly string[]): string[] {
    const keys: string[] = [];
    const hash = createHash('sha256');
    for (let end = BLOCK; end <= tokens.length; end += BLOCK) {
      hash.update(tokens.slice(end - BLOCK, end).join('\u0000'));
      keys.push(hash.copy().digest('hex'));
    }
    return keys;
  }

  /** Tokens of the prompt found in the cache, in full blocks; a fully cached prompt recomputes its last block. */
  private _cachedPrefix(prompt: readonly string[]): number {
    if (this.options.prefixCaching === false) {
      this._counters.cacheQueries += prompt.length;
      return 0;
    }
    const keys = this._blockKeys(prompt);
    let hits = 0;
    for (const key of keys) {
      if (this._cache.has(key)) {
        hits++;
      } else {
        break;
      }
    }
    let cached = hits * BLOCK;
    if (cached >= prompt.length && cached > 0) {
      cached -= BLOCK;
    }
    this._counters.cacheQueries += prompt.length;
    this._counters.cacheHits += cached;
    return cached;
  }

  private _remember(tokens: readonly string[]): void {
    for (const key of this._blockKeys(tokens)) {
      this._cache.add(key);
    }
  }
}

/** Message content as text (vLLM also takes a list of parts; the simulation flattens it). */
function asText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function digitsAround(score: number): Array<[string, number]> {
  const others: Array<[string, number]> = [];
  for (let d = 0; d <= 9; d++) {
    if (d !== score) {
      others.push([String(d), -4 - Math.abs(d - score)]);
    }
  }
  return others.sort((a, b) => b[1] - a[1]).slice(0, 9);
}

function versionAtMost(version: string, limit: string): boolean {
  const a = version.split('.').map((n) => parseInt(n, 10) || 0);
  const b = limit.split('.').map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) {
      return (a[i] ?? 0) < (b[i] ?? 0);
    }
  }
  return true;
}

/** Wait until a response that refused a write can take more (or is closed). */
function drained(res: http.ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.on('drain', done).on('close', done);
  });
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
