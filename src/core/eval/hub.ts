// Problem sets by name from the Hugging Face Hub, over the Hub's HTTP API as huggingface_hub uses it: the file
// list from {endpoint}/api/datasets/{repo}/revision/{rev}, each file from
// {endpoint}/datasets/{repo}/resolve/{commit}/{path} (redirects followed; a cross-host redirect drops the token).
// HF_ENDPOINT, HF_TOKEN (else the token `hf auth login` saved), HF_HUB_OFFLINE and huggingface_hub's cache
// (HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub: datasets--OWNER--NAME/refs/REV holds the
// commit, snapshots/COMMIT/PATH the files), so a Python user's cached copy is used as is, and the other way round.

import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ProblemSetError } from './problemSet';

/** A data set on the Hub: `hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT]`. */
export interface HubRef {
  repo: string;
  /** Branch, tag or commit (default main). */
  revision: string;
  config?: string;
  split?: string;
}

/** The data sets known by name: the reference script's three (aime, math, gpqa) and two common ones. */
export interface NamedDataset {
  name: string;
  title: string;
  ref: HubRef;
  /** The data file(s) on the Hub, named in the offline error so a user can fetch them by hand. */
  files: string[];
  /** Access must be requested on the Hub first (GPQA). */
  gated?: boolean;
}

export const NAMED_DATASETS: readonly NamedDataset[] = [
  {
    name: 'aime',
    title: 'AIME 2024 (HuggingFaceH4/aime_2024, 30 problems, ids 60–89)',
    ref: { repo: 'HuggingFaceH4/aime_2024', revision: 'main', split: 'train' },
    files: ['data/train-00000-of-00001.parquet'],
  },
  {
    name: 'math',
    title: 'MATH-500 (HuggingFaceH4/MATH-500, test split)',
    ref: { repo: 'HuggingFaceH4/MATH-500', revision: 'main', split: 'test' },
    files: ['test.jsonl'],
  },
  {
    name: 'gpqa',
    title: 'GPQA-Diamond (Idavidrein/gpqa, gpqa_diamond; gated)',
    ref: { repo: 'Idavidrein/gpqa', revision: 'main', config: 'gpqa_diamond', split: 'train' },
    files: ['gpqa_diamond.csv'],
    gated: true,
  },
  {
    name: 'aime25',
    title: 'AIME 2025 (math-ai/aime25, test split)',
    ref: { repo: 'math-ai/aime25', revision: 'main', split: 'test' },
    files: ['test.jsonl'],
  },
  {
    name: 'gsm8k',
    title: 'GSM8K (openai/gsm8k, main, test split)',
    ref: { repo: 'openai/gsm8k', revision: 'main', config: 'main', split: 'test' },
    files: ['main/test-00000-of-00001.parquet'],
  },
];

export class HubError extends ProblemSetError {}

const REPO = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * The Hub data set a `--dataset` value names, or undefined for a file path. A known name (aime, math, gpqa, aime25,
 * gsm8k) names a Hub set unless a file of that name exists.
 */
export function parseDatasetSpec(spec: string, fileExists: (p: string) => boolean = existsSync): HubRef | undefined {
  const named = NAMED_DATASETS.find((d) => d.name === spec);
  if (named && !fileExists(spec)) {
    return { ...named.ref };
  }
  if (!spec.startsWith('hf:')) {
    return undefined;
  }
  const m = /^hf:([^@:/]+\/[^@:/]+)(?:@([^:/]+))?(?::([^/]+))?(?:\/([^/]+))?$/.exec(spec);
  if (!m || !REPO.test(m[1]!)) {
    throw new HubError(
      `--dataset ${spec}: expected hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT], e.g. hf:HuggingFaceH4/MATH-500/test or hf:Idavidrein/gpqa:gpqa_diamond/train`,
    );
  }
  return {
    repo: m[1]!,
    revision: m[2] ?? 'main',
    ...(m[3] !== undefined ? { config: m[3] } : {}),
    ...(m[4] !== undefined ? { split: m[4] } : {}),
  };
}

/** The `hf:` spelling of a reference (with the commit, it names exactly the data an evaluation used). */
export function hubSpec(ref: HubRef, commit?: string): string {
  const rev = commit ?? ref.revision;
  return `hf:${ref.repo}${rev !== 'main' ? `@${rev}` : ''}${ref.config ? `:${ref.config}` : ''}${ref.split ? `/${ref.split}` : ''}`;
}

export interface HubSettings {
  endpoint: string;
  token?: string;
  cacheDir: string;
  offline: boolean;
}

const truthy = (v: string | undefined) => !!v && ['1', 'on', 'yes', 'true'].includes(v.toLowerCase());

/** huggingface_hub's environment: HF_ENDPOINT, HF_TOKEN (else $HF_HOME/token), HF_HUB_CACHE/HF_HOME, HF_HUB_OFFLINE. */
export async function hubSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<HubSettings> {
  const hfHome = env.HF_HOME || path.join(env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'huggingface');
  let token = env.HF_TOKEN || env.HUGGING_FACE_HUB_TOKEN || undefined;
  if (!token) {
    token =
      (await readFile(env.HF_TOKEN_PATH || path.join(hfHome, 'token'), 'utf8').catch(() => '')).trim() || undefined;
  }
  return {
    endpoint: (env.HF_ENDPOINT || 'https://huggingface.co').replace(/\/+$/, ''),
    token,
    cacheDir: env.HF_HUB_CACHE || env.HUGGINGFACE_HUB_CACHE || path.join(hfHome, 'hub'),
    offline: truthy(env.HF_HUB_OFFLINE) || truthy(env.TRANSFORMERS_OFFLINE),
  };
}

export interface HubProgress {
  file: string;
  received: number;
  /** Bytes, when the server says (Content-Length). */
  total?: number;
}

export interface HubDataset {
  ref: HubRef;
  /** The commit the revision resolved to: with it the evaluation can be repeated on exactly the same data. */
  commit: string;
  endpoint: string;
  /** The data files in the repository, and where they are on this machine (in the cache). */
  files: Array<{ path: string; local: string }>;
  /** Read from the cache without asking the Hub (offline, or the Hub unreachable). */
  offline: boolean;
}

const DATA_FILE = /\.(parquet|jsonl|ndjson|json|csv)$/i;
const SPLIT_WORDS = ['train', 'test', 'validation', 'valid', 'dev', 'eval'];

/** Whether `name` appears in a repository path as a path segment or file-name part (`data/test-0000…`, `test.jsonl`). */
function mentions(file: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[/_.-])${escaped}([/_.-]|$)`, 'i').test(file.replace(DATA_FILE, ''));
}

/**
 * The data files of a config and split, by the layout conventions of the `datasets` library: a config is a
 * directory or a file-name prefix (`main/test-….parquet`, `gpqa_diamond.csv`), a split a name part
 * (`data/train-00000-of-00001.parquet`, `test.jsonl`); files naming no split are the train split. Without a
 * split: test if there is one, else train, else all. Shards are returned in name order.
 */
export function selectDataFiles(all: readonly string[], ref: HubRef): string[] {
  let files = all.filter((f) => DATA_FILE.test(f) && !f.split('/').some((part) => part.startsWith('.')));
  const where = `${ref.repo}@${ref.revision}`;
  const listing = (list: readonly string[]) => list.slice(0, 12).join(', ') + (list.length > 12 ? ', …' : '');
  if (!files.length) {
    throw new HubError(`${where} has no .parquet, .jsonl, .json or .csv data file (files: ${listing(all) || 'none'})`);
  }
  if (ref.config) {
    const inConfig = files.filter((f) => mentions(f, ref.config!) || f.startsWith(`${ref.config}/`));
    if (!inConfig.length) {
      throw new HubError(`${where}: no data file for config "${ref.config}" (data files: ${listing(files)})`);
    }
    files = inConfig;
  }
  const splitOf = (f: string) => SPLIT_WORDS.find((s) => mentions(f, s)) ?? 'train';
  const split = ref.split ?? (files.some((f) => splitOf(f) === 'test') ? 'test' : 'train');
  let inSplit = files.filter((f) => mentions(f, split));
  if (!inSplit.length && split === 'train') {
    inSplit = files.filter((f) => splitOf(f) === 'train');
  }
  if (!inSplit.length) {
    const splits = [...new Set(files.map(splitOf))];
    throw new HubError(
      `${where}${ref.config ? `:${ref.config}` : ''}: no data file for split "${split}" (splits: ${splits.join(', ')}; files: ${listing(files)})`,
    );
  }
  // One format only (some repositories carry the same data as .parquet and .jsonl).
  const ext = (f: string) => (DATA_FILE.exec(f)?.[1] ?? '').toLowerCase();
  const preferred = ['parquet', 'jsonl', 'ndjson', 'json', 'csv'].find((e) => inSplit.some((f) => ext(f) === e));
  return inSplit.filter((f) => ext(f) === preferred).sort();
}

/** The repository's folder in huggingface_hub's cache. */
export function repoCacheDir(cacheDir: string, repo: string): string {
  return path.join(cacheDir, `datasets--${repo.split('/').join('--')}`);
}

const COMMIT = /^[0-9a-f]{40}$/;

interface FetchOptions {
  settings: HubSettings;
  onProgress?: (p: HubProgress) => void;
  signal?: AbortSignal;
}

function authHeaders(settings: HubSettings): Record<string, string> {
  return {
    'user-agent': 'specreason-vscode; hf_hub-compatible',
    ...(settings.token ? { authorization: `Bearer ${settings.token}` } : {}),
  };
}

/** The error an HTTP answer from the Hub deserves (gated, private, missing repository, revision or file). */
async function hubHttpError(response: Response, ref: HubRef, settings: HubSettings, what: string): Promise<HubError> {
  const code = response.headers.get('x-error-code') ?? '';
  const message = response.headers.get('x-error-message') ?? (await response.text().catch(() => '')).slice(0, 300);
  const page = `${settings.endpoint}/datasets/${ref.repo}`;
  const named = NAMED_DATASETS.find((d) => d.ref.repo === ref.repo);
  if (response.status === 401 || response.status === 403 || code === 'GatedRepo') {
    const gated = code === 'GatedRepo' || named?.gated || /gated|restricted/i.test(message);
    if (gated) {
      return new HubError(
        `${ref.repo} is a gated data set: ${what} answered ${response.status}${message ? ` (${message})` : ''}. ` +
          (settings.token
            ? `Your token has no access yet: open ${page} signed in as the token's account and accept the conditions (access is granted at once or after review), then run again.`
            : `Open ${page}, sign in and accept the conditions, create a read token at ${settings.endpoint}/settings/tokens, and set HF_TOKEN=hf_… (or run \`hf auth login\`) before running again.`),
      );
    }
    return new HubError(
      `${ref.repo}: ${what} answered ${response.status}${message ? ` (${message})` : ''}: the data set is private or does not exist` +
        (settings.token ? ' for the account of HF_TOKEN' : '; for a private one set HF_TOKEN=hf_…'),
    );
  }
  if (response.status === 404) {
    const kind =
      code === 'RevisionNotFound' ? `revision "${ref.revision}"` : code === 'EntryNotFound' ? 'file' : 'data set';
    return new HubError(
      `${ref.repo}: ${kind} not found on ${settings.endpoint} (${what} answered 404${message ? `: ${message}` : ''}); check the name at ${page}`,
    );
  }
  return new HubError(
    `${ref.repo}: ${what} answered ${response.status} ${response.statusText}${message ? `: ${message}` : ''}`,
  );
}

/** A network failure (no route, refused, DNS): the cache may still serve. */
class Unreachable extends Error {}

async function hubFetch(url: string, options: FetchOptions): Promise<Response> {
  try {
    return await fetch(url, { headers: authHeaders(options.settings), redirect: 'follow', signal: options.signal });
  } catch (error) {
    if (options.signal?.aborted) {
      throw error;
    }
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw new Unreachable(`${new URL(url).host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
  }
}

async function listFiles(ref: HubRef, options: FetchOptions): Promise<{ commit: string; files: string[] }> {
  const url = `${options.settings.endpoint}/api/datasets/${ref.repo}/revision/${encodeURIComponent(ref.revision)}`;
  const response = await hubFetch(url, options);
  if (!response.ok) {
    throw await hubHttpError(response, ref, options.settings, 'the file list');
  }
  const info = (await response.json().catch(() => undefined)) as
    { sha?: unknown; siblings?: Array<{ rfilename?: unknown }> } | undefined;
  if (typeof info?.sha !== 'string' || !Array.isArray(info.siblings)) {
    throw new HubError(`${url}: not a Hub file list (no "sha" and "siblings")`);
  }
  return {
    commit: info.sha,
    files: info.siblings.flatMap((s) => (typeof s.rfilename === 'string' ? [s.rfilename] : [])),
  };
}

async function download(
  ref: HubRef,
  commit: string,
  file: string,
  local: string,
  options: FetchOptions,
): Promise<void> {
  const url = `${options.settings.endpoint}/datasets/${ref.repo}/resolve/${commit}/${file.split('/').map(encodeURIComponent).join('/')}`;
  const response = await hubFetch(url, options);
  if (!response.ok || !response.body) {
    throw await hubHttpError(response, ref, options.settings, `the download of ${file}`);
  }
  const length = Number(response.headers.get('content-length'));
  const total = Number.isFinite(length) && length > 0 ? length : undefined;
  await mkdir(path.dirname(local), { recursive: true });
  const partial = `${local}.${process.pid}.incomplete`;
  let received = 0;
  let lastReport = 0;
  options.onProgress?.({ file, received, total });
  const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
  body.on('data', (chunk: Buffer) => {
    received += chunk.length;
    if (Date.now() - lastReport > 200) {
      lastReport = Date.now();
      options.onProgress?.({ file, received, total });
    }
  });
  try {
    await pipeline(body, createWriteStream(partial), { signal: options.signal });
    if (total !== undefined && received !== total) {
      throw new HubError(`${url}: the download stopped at ${received} of ${total} bytes; run again`);
    }
    await rename(partial, local);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  options.onProgress?.({ file, received, total: total ?? received });
}

async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const out: string[] = [];
  for (const e of entries) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) {
      out.push(...(await filesUnder(path.join(dir, e.name), rel)));
    } else if (!e.name.endsWith('.incomplete')) {
      out.push(rel);
    }
  }
  return out;
}

/** The dataset as cached: the commit the revision last resolved to (refs/REV) and the files of its snapshot. */
async function fromCache(ref: HubRef, settings: HubSettings, why: string): Promise<HubDataset> {
  const repoDir = repoCacheDir(settings.cacheDir, ref.repo);
  const commit = COMMIT.test(ref.revision)
    ? ref.revision
    : (await readFile(path.join(repoDir, 'refs', ref.revision), 'utf8').catch(() => '')).trim();
  const snapshot = path.join(repoDir, 'snapshots', commit);
  const cached = commit ? await filesUnder(snapshot) : [];
  let files: string[] = [];
  try {
    files = cached.length ? selectDataFiles(cached, ref) : [];
  } catch {
    files = [];
  }
  if (!files.length) {
    const named = NAMED_DATASETS.find((d) => d.ref.repo === ref.repo && d.ref.config === ref.config);
    const names = named?.files ?? [];
    const rev = commit || ref.revision;
    const url = (f: string) => `${settings.endpoint}/datasets/${ref.repo}/resolve/${rev}/${f}`;
    throw new HubError(
      `${why}, and ${ref.repo}${ref.config ? `:${ref.config}` : ''} is not in the cache (${repoDir}). ` +
        (names.length
          ? `Download ${names.map(url).join(' and ')} by hand (a browser or curl; with your token if the set is gated) ` +
            `and run with --dataset ${path.basename(names[0]!)}, or run once with access to ${settings.endpoint} to fill the cache.`
          : `Download its data file from ${settings.endpoint}/datasets/${ref.repo}/tree/${ref.revision} by hand and run with --dataset FILE, ` +
            `or run once with access to ${settings.endpoint} to fill the cache.`),
    );
  }
  return {
    ref,
    commit,
    endpoint: settings.endpoint,
    files: files.map((f) => ({ path: f, local: path.join(snapshot, ...f.split('/')) })),
    offline: true,
  };
}

/**
 * Fetch a data set's files for a config and split into the cache (files already there are not fetched again) and
 * say where they are. Offline (HF_HUB_OFFLINE=1) or with the Hub unreachable, the cached copy serves; without one,
 * the error names the file to download by hand.
 */
export async function fetchHubDataset(
  ref: HubRef,
  options: { settings: HubSettings; onProgress?: (p: HubProgress) => void; signal?: AbortSignal },
): Promise<HubDataset> {
  const { settings } = options;
  if (settings.offline) {
    return fromCache(ref, settings, 'HF_HUB_OFFLINE is set');
  }
  let listing: { commit: string; files: string[] };
  try {
    listing = await listFiles(ref, options);
  } catch (error) {
    if (error instanceof Unreachable) {
      return fromCache(ref, settings, `cannot reach the Hub (${error.message})`);
    }
    throw error;
  }
  const files = selectDataFiles(listing.files, ref);
  const repoDir = repoCacheDir(settings.cacheDir, ref.repo);
  const snapshot = path.join(repoDir, 'snapshots', listing.commit);
  const out: HubDataset['files'] = [];
  for (const file of files) {
    const local = path.join(snapshot, ...file.split('/'));
    const cached = await stat(local).catch(() => undefined);
    if (!cached?.isFile()) {
      try {
        await download(ref, listing.commit, file, local, options);
      } catch (error) {
        if (error instanceof Unreachable) {
          throw new HubError(
            `cannot reach the Hub (${error.message}) while downloading ${file}: run again, or download ` +
              `${settings.endpoint}/datasets/${ref.repo}/resolve/${listing.commit}/${file} by hand and run with --dataset ${path.basename(file)}`,
          );
        }
        throw error;
      }
    }
    out.push({ path: file, local });
  }
  if (!COMMIT.test(ref.revision)) {
    await mkdir(path.join(repoDir, 'refs'), { recursive: true });
    await writeFile(path.join(repoDir, 'refs', ref.revision), listing.commit);
  }
  return { ref, commit: listing.commit, endpoint: settings.endpoint, files: out, offline: false };
}

/** Bytes as kB/MB for progress lines. */
export function formatBytes(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1e3))} kB`;
}

/** What results.json records of a Hub data set, so the evaluation can be repeated on exactly the same data. */
export interface HubSource {
  endpoint: string;
  repo: string;
  revision: string;
  commit: string;
  config?: string;
  split?: string;
  files: string[];
}

/** A `--dataset` value resolved to files on this machine. */
export interface ResolvedDataset {
  /** A file's absolute path, or the Hub set's `hf:` spelling with its commit. */
  name: string;
  files: string[];
  hub?: HubSource;
  /** Read from the cache without asking the Hub. */
  offline?: boolean;
}

/** Resolve a `--dataset` value: a file, a known name (aime, math, gpqa, aime25, gsm8k) or `hf:OWNER/NAME…`. */
export async function resolveDataset(
  spec: string,
  options: { settings?: HubSettings; onProgress?: (p: HubProgress) => void; signal?: AbortSignal } = {},
): Promise<ResolvedDataset> {
  const ref = parseDatasetSpec(spec);
  if (!ref) {
    return { name: path.resolve(spec), files: [path.resolve(spec)] };
  }
  const settings = options.settings ?? (await hubSettingsFromEnv());
  const set = await fetchHubDataset(ref, { settings, onProgress: options.onProgress, signal: options.signal });
  return {
    name: hubSpec(ref, set.commit),
    files: set.files.map((f) => f.local),
    hub: {
      endpoint: set.endpoint,
      repo: ref.repo,
      revision: ref.revision,
      commit: set.commit,
      config: ref.config,
      split: ref.split,
      files: set.files.map((f) => f.path),
    },
    offline: set.offline,
  };
}
