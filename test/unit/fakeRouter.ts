// A router in front of replicas, as the scale-out routers behave (real HTTP on loopback): a request that
// names its session goes to that session's replica; any other request goes to the next replica in turn.
// `key`: the session is the value of a header the client chooses (production-stack, SGLang's gateway,
// Dynamo, Ray Serve). `echo`: the router issues a token naming the replica on its reply, and a request
// that sends it back goes there (llm-d's session-affinity scorer: base64 of the pod's name).

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { baseScript, smallScript, type Scenario } from '../../src/sim/scenarios';
import { SimulatedVllm } from '../../src/sim/simulatedVllm';

export interface RoutedRequest {
  method: string;
  path: string;
  replica: number;
  /** The session header's value, when the request had one. */
  session?: string;
}

export class FakeRouter {
  readonly log: RoutedRequest[] = [];
  private readonly _sessions = new Map<string, number>();
  private _next = 0;
  private _server?: http.Server;

  constructor(
    private readonly _replicas: readonly string[],
    private readonly _routing: { header: string; mode: 'key' | 'echo' } | undefined,
  ) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${(this._server!.address() as AddressInfo).port}/v1`;
  }

  private _choose(session: string | undefined): number {
    if (session !== undefined && this._routing?.mode === 'echo') {
      const name = Buffer.from(session, 'base64').toString('utf8');
      const index = Number(/^replica-(\d+)$/.exec(name)?.[1] ?? NaN);
      if (Number.isInteger(index) && index < this._replicas.length) {
        return index;
      }
    }
    if (session !== undefined && this._routing?.mode === 'key') {
      const known = this._sessions.get(session);
      if (known !== undefined) {
        return known;
      }
    }
    const chosen = this._next++ % this._replicas.length;
    if (session !== undefined && this._routing?.mode === 'key') {
      this._sessions.set(session, chosen);
    }
    return chosen;
  }

  async start(): Promise<void> {
    this._server = http.createServer((req, res) => {
      const raw = this._routing ? req.headers[this._routing.header] : undefined;
      const session = typeof raw === 'string' ? raw : undefined;
      const replica = this._choose(session);
      this.log.push({ method: req.method ?? 'GET', path: req.url ?? '', replica, session });
      const target = new URL(req.url ?? '/', this._replicas[replica]);
      const upstream = http.request(
        target,
        { method: req.method, headers: { ...req.headers, host: target.host } },
        (reply) => {
          const headers = { ...reply.headers };
          if (this._routing?.mode === 'echo') {
            headers[this._routing.header] = Buffer.from(`replica-${replica}`).toString('base64');
          }
          res.writeHead(reply.statusCode ?? 502, headers);
          reply.pipe(res);
        },
      );
      upstream.on('error', () => {
        if (!res.headersSent) {
          res.writeHead(502).end();
        } else {
          res.destroy();
        }
      });
      req.pipe(upstream);
      res.on('close', () => upstream.destroy());
    });
    this._server.keepAliveTimeout = 1000;
    await new Promise<void>((resolve) => this._server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this._server?.closeAllConnections();
    await new Promise<void>((resolve) => (this._server ? this._server.close(() => resolve()) : resolve()));
  }
}

/** Simulated replicas per role playing one scenario, and their origins (what a FakeRouter forwards to). */
export interface Replicas {
  base: string[];
  small: string[];
  stop(): Promise<void>;
}

export async function startReplicas(count: number, scenario: Scenario): Promise<Replicas> {
  const make = (role: 'base' | 'small') =>
    Array.from(
      { length: count },
      () =>
        new SimulatedVllm({
          model: `sim-${role}`,
          script: role === 'base' ? baseScript(scenario) : smallScript(scenario),
          maxModelLen: 32768,
        }),
    );
  const servers = { base: make('base'), small: make('small') };
  const all = [...servers.base, ...servers.small];
  await Promise.all(all.map((s) => s.start(0)));
  const origin = (s: SimulatedVllm) => s.baseUrl.replace(/\/v1$/, '');
  return {
    base: servers.base.map(origin),
    small: servers.small.map(origin),
    stop: async () => {
      await Promise.all(all.map((s) => s.stop()));
    },
  };
}
