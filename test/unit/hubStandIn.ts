// A local stand-in for the Hugging Face Hub's HTTP API, as huggingface_hub meets it: the file list at
// /api/datasets/OWNER/NAME/revision/REV ({sha, siblings}), files at /datasets/OWNER/NAME/resolve/REV/PATH (small
// files answered directly with X-Repo-Commit and ETag, large ones ("LFS") redirected with 302 to a CDN on another
// host:port, as the real Hub does), gated repositories (401 without a token, 403 with one not granted, with
// X-Error-Code: GatedRepo), missing repositories, revisions and files with the Hub's error codes.

import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface StandInRepo {
  /** Commit of `main` (40 hex digits); other branches or tags in `refs`. */
  commit: string;
  refs?: Record<string, string>;
  files: Record<string, string | Buffer>;
  /** Tokens granted access; with `gated`, anything else gets 401 (no token) or 403. */
  gated?: boolean;
  granted?: string[];
}

export interface StandInRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  authorization?: string;
}

/** Files served through the CDN redirect (the real Hub stores them in LFS/Xet). */
const LFS = /\.(parquet|csv)$/;

export const fakeCommit = (seed: string) => createHash('sha1').update(seed).digest('hex');

export class HubStandIn {
  readonly requests: StandInRequest[] = [];
  private readonly _hub: Server;
  private readonly _cdn: Server;
  private readonly _blobs = new Map<string, Buffer>();

  constructor(readonly repos: Record<string, StandInRepo>) {
    this._hub = createServer((req, res) => this._onHub(req, res));
    this._cdn = createServer((req, res) => this._onCdn(req, res));
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this._hub.address() as AddressInfo).port}`;
  }

  /** The CDN on `localhost` (another origin than the Hub's 127.0.0.1: fetch drops the token on the redirect). */
  private get _cdnBase(): string {
    return `http://localhost:${(this._cdn.address() as AddressInfo).port}`;
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this._hub.listen(0, '127.0.0.1', r));
    await new Promise<void>((r) => this._cdn.listen(0, '127.0.0.1', r));
    return this;
  }

  async stop(): Promise<void> {
    this._hub.closeAllConnections();
    this._cdn.closeAllConnections();
    await Promise.all([new Promise((r) => this._hub.close(r)), new Promise((r) => this._cdn.close(r))]);
  }

  downloads(path: string): number {
    return this.requests.filter((r) => r.server === 'hub' && r.url.includes('/resolve/') && r.url.endsWith(path))
      .length;
  }

  private _record(server: 'hub' | 'cdn', req: IncomingMessage): void {
    this.requests.push({
      server,
      method: req.method ?? 'GET',
      url: req.url ?? '',
      authorization: req.headers.authorization,
    });
  }

  private _error(res: ServerResponse, status: number, code: string | undefined, message: string): void {
    res.writeHead(status, {
      'content-type': 'application/json',
      ...(code ? { 'x-error-code': code } : {}),
      'x-error-message': message,
    });
    res.end(JSON.stringify({ error: message }));
  }

  private _commitOf(repo: StandInRepo, rev: string): string | undefined {
    if (rev === 'main') {
      return repo.commit;
    }
    if (repo.refs?.[rev]) {
      return repo.refs[rev];
    }
    return [repo.commit, ...Object.values(repo.refs ?? {})].includes(rev) ? rev : undefined;
  }

  private _onHub(req: IncomingMessage, res: ServerResponse): void {
    this._record('hub', req);
    const url = new URL(req.url ?? '/', 'http://x');
    const api = /^\/api\/datasets\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const name = decodeURIComponent((api ?? resolve)?.[1] ?? '');
    const repo = this.repos[name];
    if (!api && !resolve) {
      return this._error(res, 404, undefined, 'Not Found');
    }
    if (!repo) {
      return this._error(res, 401, 'RepoNotFound', 'Repository not found');
    }
    const commit = this._commitOf(repo, decodeURIComponent((api ?? resolve)![2]!));
    if (!commit) {
      return this._error(res, 404, 'RevisionNotFound', `Invalid rev id: ${(api ?? resolve)![2]}`);
    }
    if (api) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          _id: fakeCommit(name).slice(0, 24),
          id: name,
          sha: commit,
          private: false,
          gated: repo.gated ? 'auto' : false,
          disabled: false,
          siblings: ['.gitattributes', 'README.md', ...Object.keys(repo.files)].map((rfilename) => ({ rfilename })),
        }),
      );
      return;
    }
    if (repo.gated) {
      const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (!token) {
        return this._error(
          res,
          401,
          'GatedRepo',
          `Access to dataset ${name} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
        );
      }
      if (!repo.granted?.includes(token)) {
        return this._error(
          res,
          403,
          'GatedRepo',
          `Access to dataset ${name} is restricted and you are not in the authorized list. Visit ${this.endpoint}/datasets/${name} to ask for access.`,
        );
      }
    }
    const path = decodeURIComponent(resolve![3]!);
    const content = repo.files[path];
    if (content === undefined) {
      return this._error(res, 404, 'EntryNotFound', `${path} does not exist on "${resolve![2]}"`);
    }
    const body = Buffer.from(content);
    const sha256 = createHash('sha256').update(body).digest('hex');
    const headers = { 'x-repo-commit': commit, etag: `"${sha256}"` };
    if (LFS.test(path)) {
      this._blobs.set(sha256, body);
      res.writeHead(302, {
        ...headers,
        'x-linked-etag': `"${sha256}"`,
        location: `${this._cdnBase}/cdn/${sha256}?sig=x`,
      });
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-length': body.length, 'content-type': 'application/octet-stream' });
    res.end(body);
  }

  private _onCdn(req: IncomingMessage, res: ServerResponse): void {
    this._record('cdn', req);
    const blob = this._blobs.get(/^\/cdn\/([0-9a-f]+)/.exec(req.url ?? '')?.[1] ?? '');
    if (!blob) {
      res.writeHead(403).end('<Error><Code>AccessDenied</Code></Error>');
      return;
    }
    res.writeHead(200, { 'content-length': blob.length, 'content-type': 'application/octet-stream' });
    res.end(blob);
  }
}
