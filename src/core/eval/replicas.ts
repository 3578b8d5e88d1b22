// Servers for evaluations beyond one pair: a list of replica URLs per role with least-outstanding-requests
// balancing and run affinity (every request of a run goes to the replica chosen at its start, so that
// replica's prefix cache keeps hitting); a router in front of replicas is the `router` setting instead
// (llm/routers.ts). A replica that fails fails only its runs; after a connection-level failure it gets no
// new runs while another replica of its role is up.

import type { ModelRole, SpecReasonConfig } from '../config';
import type { ErrorInfo } from '../errors';
import { clientOptions, createServer } from '../llm/factory';
import type { ChatMessage, GenerateRequest, ModelServer } from '../llm/server';
import type { ServerSource } from './evaluation';

export interface Replica {
  url: string;
  role: ModelRole;
  /** Requests in flight now. */
  outstanding: number;
  /** Runs started on it, in all. */
  runs: number;
  /** Set after a connection-level failure; cleared when one of its runs succeeds. */
  down: boolean;
}

export interface ReplicaOptions {
  base: readonly string[];
  small: readonly string[];
}

/** Error codes that mean the replica itself is unreachable, not that the request was bad. */
const REPLICA_DOWN: ReadonlySet<ErrorInfo['code']> = new Set([
  'server_down',
  'timeout',
  'server_error',
  'stream_dropped',
]);

/** Counts a replica's requests in flight around each call of the run's own client. */
class CountedServer implements ModelServer {
  constructor(
    private readonly _inner: ModelServer,
    private readonly _replica: Replica,
  ) {}
  get kind() {
    return this._inner.kind;
  }
  get role() {
    return this._inner.role;
  }
  get url() {
    return this._inner.url;
  }
  get knownModel() {
    return this._inner.knownModel;
  }
  get hints() {
    return this._inner.hints;
  }
  get requests() {
    return this._inner.requests;
  }
  get modelListRequests() {
    return this._inner.modelListRequests;
  }
  model(signal?: AbortSignal) {
    return this._inner.model(signal);
  }
  generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void) {
    return this._counted(() => this._inner.generate(request, signal, onDelta));
  }
  score(messages: ChatMessage[], signal: AbortSignal) {
    return this._counted(() => this._inner.score(messages, signal));
  }
  health(signal?: AbortSignal) {
    return this._inner.health(signal);
  }
  metrics(signal?: AbortSignal) {
    return this._inner.metrics(signal);
  }
  features(metrics: string, before?: string) {
    return this._inner.features(metrics, before);
  }
  private async _counted<T>(call: () => Promise<T>): Promise<T> {
    this._replica.outstanding++;
    try {
      return await call();
    } finally {
      this._replica.outstanding--;
    }
  }
}

export class ReplicaPool implements ServerSource {
  readonly replicas: Record<ModelRole, Replica[]>;

  constructor(
    private readonly _config: SpecReasonConfig,
    private readonly _options: ReplicaOptions,
  ) {
    const make = (role: ModelRole, urls: readonly string[]) =>
      urls.map((url) => ({ url: url.replace(/\/+$/, ''), role, outstanding: 0, runs: 0, down: false }));
    this.replicas = { base: make('base', _options.base), small: make('small', _options.small) };
    for (const role of ['base', 'small'] as const) {
      if (this.replicas[role].length === 0) {
        throw new Error(`no ${role} server URL`);
      }
    }
  }

  /** The replica with the fewest requests in flight among those up (ties: fewest runs so far). */
  private _pick(role: ModelRole): Replica {
    const all = this.replicas[role];
    const up = all.filter((r) => !r.down);
    return [...(up.length ? up : all)].sort((a, b) => a.outstanding - b.outstanding || a.runs - b.runs)[0]!;
  }

  acquire(_runKey: string) {
    const chosen = { base: this._pick('base'), small: this._pick('small') };
    const options = clientOptions(this._config);
    const client = (role: ModelRole) => {
      const replica = chosen[role];
      replica.runs++;
      const server = createServer(
        this._config[role].kind ?? 'auto',
        role,
        { ...this._config[role], url: replica.url },
        options,
      );
      return new CountedServer(server, replica);
    };
    return {
      clients: { base: client('base'), small: client('small') },
      urls: { base: chosen.base.url, small: chosen.small.url },
      release: (error?: ErrorInfo) => {
        for (const role of ['base', 'small'] as const) {
          const replica = chosen[role];
          if (!error) {
            replica.down = false;
          } else if (error.server?.url.replace(/\/+$/, '') === replica.url && REPLICA_DOWN.has(error.code)) {
            replica.down = true;
          }
        }
      },
    };
  }
}
