// Data sets from the Hugging Face Hub against a local stand-in of its HTTP API: names and hf: specs, file
// selection by config and split on the real sets' layouts, the cache (huggingface_hub's layout), redirects, gated
// sets, offline with and without a cache.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  fetchHubDataset,
  hubSettingsFromEnv,
  hubSpec,
  HubError,
  parseDatasetSpec,
  resolveDataset,
  selectDataFiles,
  type HubProgress,
  type HubSettings,
} from '../../src/core/eval/hub';
import { loadProblemSet } from '../../src/core/eval/problemSet';
import { COMMITS, GPQA_TOKEN, standInRepos } from './hubRepos';
import { HubStandIn } from './hubStandIn';

describe('Hugging Face Hub data sets', function () {
  this.timeout(20000);
  let hub: HubStandIn;
  const settings = (extra: Partial<HubSettings> = {}): HubSettings => ({
    endpoint: hub.endpoint,
    cacheDir: mkdtempSync(path.join(tmpdir(), 'specreason-hub-cache-')),
    offline: false,
    ...extra,
  });

  /** A loopback port nothing listens on (the Hub unreachable). */
  let closedPort = 0;
  before(async () => {
    hub = await new HubStandIn(await standInRepos()).start();
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    closedPort = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
  });
  after(async () => {
    await hub.stop();
  });

  describe('names', () => {
    const none = () => false;
    it('the reference names and two more name Hub sets (unless a file of that name exists)', () => {
      assert.deepEqual(parseDatasetSpec('aime', none), {
        repo: 'HuggingFaceH4/aime_2024',
        revision: 'main',
        split: 'train',
      });
      assert.deepEqual(parseDatasetSpec('gpqa', none), {
        repo: 'Idavidrein/gpqa',
        revision: 'main',
        config: 'gpqa_diamond',
        split: 'train',
      });
      assert.equal(parseDatasetSpec('math', none)?.repo, 'HuggingFaceH4/MATH-500');
      assert.equal(parseDatasetSpec('aime25', none)?.repo, 'math-ai/aime25');
      assert.equal(parseDatasetSpec('gsm8k', none)?.config, 'main');
      assert.equal(
        parseDatasetSpec('math', () => true),
        undefined,
      );
      assert.equal(parseDatasetSpec('problems.jsonl', none), undefined);
    });

    it('hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT]', () => {
      assert.deepEqual(parseDatasetSpec('hf:openai/gsm8k'), { repo: 'openai/gsm8k', revision: 'main' });
      assert.deepEqual(parseDatasetSpec('hf:openai/gsm8k@v1.0:socratic/train'), {
        repo: 'openai/gsm8k',
        revision: 'v1.0',
        config: 'socratic',
        split: 'train',
      });
      assert.deepEqual(parseDatasetSpec('hf:Idavidrein/gpqa:gpqa_main'), {
        repo: 'Idavidrein/gpqa',
        revision: 'main',
        config: 'gpqa_main',
      });
      assert.equal(parseDatasetSpec('hf:HuggingFaceH4/MATH-500/test')?.split, 'test');
      for (const bad of ['hf:', 'hf:justaname', 'hf:a/b/c/d', 'hf:a/b@']) {
        assert.throws(() => parseDatasetSpec(bad), /expected hf:OWNER\/NAME\[@REVISION\]\[:CONFIG\]\[\/SPLIT\]/, bad);
      }
      assert.equal(
        hubSpec({ repo: 'openai/gsm8k', revision: 'main', config: 'main', split: 'test' }, COMMITS.gsm8k),
        `hf:openai/gsm8k@${COMMITS.gsm8k}:main/test`,
      );
    });
  });

  describe('file selection (the published layouts)', () => {
    const gsm8k = [
      '.gitattributes',
      'README.md',
      'main/test-00000-of-00001.parquet',
      'main/train-00000-of-00001.parquet',
      'socratic/test-00000-of-00001.parquet',
      'socratic/train-00000-of-00001.parquet',
    ];
    it('config as directory, split as name part', () => {
      assert.deepEqual(
        selectDataFiles(gsm8k, { repo: 'openai/gsm8k', revision: 'main', config: 'socratic', split: 'train' }),
        ['socratic/train-00000-of-00001.parquet'],
      );
    });
    it('config as file-name prefix; a file naming no split is the train split', () => {
      const gpqa = ['gpqa_diamond.csv', 'gpqa_main.csv', 'gpqa_extended.csv', 'gpqa_experts.csv', 'license.txt'];
      assert.deepEqual(
        selectDataFiles(gpqa, { repo: 'Idavidrein/gpqa', revision: 'main', config: 'gpqa_diamond', split: 'train' }),
        ['gpqa_diamond.csv'],
      );
    });
    it('no split given: test if there is one; shards in order; one format', () => {
      assert.deepEqual(
        selectDataFiles(
          [
            'data/test-00001-of-00002.parquet',
            'data/test-00000-of-00002.parquet',
            'data/train-0.parquet',
            'test.jsonl',
          ],
          { repo: 'a/b', revision: 'main' },
        ),
        ['data/test-00000-of-00002.parquet', 'data/test-00001-of-00002.parquet'],
      );
      assert.deepEqual(
        selectDataFiles(['data/train-00000-of-00001.parquet'], { repo: 'HuggingFaceH4/aime_2024', revision: 'main' }),
        ['data/train-00000-of-00001.parquet'],
      );
    });
    it('a missing config or split names what there is', () => {
      assert.throws(
        () => selectDataFiles(gsm8k, { repo: 'openai/gsm8k', revision: 'main', config: 'main', split: 'validation' }),
        /openai\/gsm8k@main:main: no data file for split "validation" \(splits: test, train; files: main\/test-00000-of-00001\.parquet/,
      );
      assert.throws(
        () => selectDataFiles(gsm8k, { repo: 'openai/gsm8k', revision: 'main', config: 'mian' }),
        /no data file for config "mian"/,
      );
      assert.throws(
        () => selectDataFiles(['README.md', 'model.bin'], { repo: 'a/b', revision: 'main' }),
        /no \.parquet, \.jsonl, \.json or \.csv data file \(files: README\.md, model\.bin\)/,
      );
    });
  });

  it('math: file list, download into huggingface_hub’s cache layout, the commit; loads through the JSONL loader', async () => {
    const s = settings();
    const progress: HubProgress[] = [];
    const set = await fetchHubDataset(
      parseDatasetSpec('math', () => false)!,
      { settings: s, onProgress: (p) => progress.push(p) },
    );
    assert.equal(set.commit, COMMITS.math);
    assert.equal(set.offline, false);
    const repoDir = path.join(s.cacheDir, 'datasets--HuggingFaceH4--MATH-500');
    assert.equal(readFileSync(path.join(repoDir, 'refs', 'main'), 'utf8'), COMMITS.math);
    assert.deepEqual(set.files, [
      { path: 'test.jsonl', local: path.join(repoDir, 'snapshots', COMMITS.math, 'test.jsonl') },
    ]);
    assert.equal(progress.at(-1)?.file, 'test.jsonl');
    assert.equal(progress.at(-1)?.received, progress.at(-1)?.total);
    assert.ok(progress.at(-1)!.total! > 1000);
    const problems = await loadProblemSet(set.files.map((f) => f.local));
    assert.equal(problems.fields.format, 'math500');
    assert.equal(problems.problems.length, 105);
    assert.equal(problems.problems[0]!.id, 'test/algebra/100.json');

    // Again: the cached file serves, only the file list is asked for.
    const before = hub.downloads('test.jsonl');
    await fetchHubDataset(
      parseDatasetSpec('math', () => false)!,
      { settings: s },
    );
    assert.equal(hub.downloads('test.jsonl'), before);
  });

  it('a revision (tag) resolves to its commit, recorded in the hf: name', async () => {
    const resolved = await resolveDataset('hf:HuggingFaceH4/MATH-500@v0/test', { settings: settings() });
    assert.equal(resolved.hub?.commit, COMMITS.mathOld);
    assert.equal(resolved.name, `hf:HuggingFaceH4/MATH-500@${COMMITS.mathOld}/test`);
    assert.deepEqual(resolved.hub, {
      endpoint: hub.endpoint,
      repo: 'HuggingFaceH4/MATH-500',
      revision: 'v0',
      commit: COMMITS.mathOld,
      config: undefined,
      split: 'test',
      files: ['test.jsonl'],
    });
  });

  it('Parquet behind the CDN redirect (aime, gsm8k): followed, the token not sent to the other host', async () => {
    const s = settings({ token: 'hf_some_token' });
    const aime = await fetchHubDataset(
      parseDatasetSpec('aime', () => false)!,
      { settings: s },
    );
    const set = await loadProblemSet(aime.files.map((f) => f.local));
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.gold]),
      [
        ['60', '42'],
        ['61', '1024'],
        ['62', '99'],
      ],
    );
    const cdn = hub.requests.filter((r) => r.server === 'cdn');
    assert.ok(cdn.length > 0, 'the download went through the CDN');
    assert.ok(
      cdn.every((r) => r.authorization === undefined),
      'no token sent to the CDN',
    );
    assert.ok(hub.requests.some((r) => r.server === 'hub' && r.authorization === 'Bearer hf_some_token'));

    const gsm8k = await fetchHubDataset(
      parseDatasetSpec('gsm8k', () => false)!,
      { settings: s },
    );
    assert.deepEqual(
      gsm8k.files.map((f) => f.path),
      ['main/test-00000-of-00001.parquet'],
    );
    const problems = (await loadProblemSet(gsm8k.files.map((f) => f.local))).problems;
    assert.deepEqual(
      problems.map((p) => p.gold),
      ['5', '6', '7'],
    );
  });

  it('shards of a split load as one set, in order', async () => {
    const resolved = await resolveDataset('hf:someone/sharded@v1', { settings: settings() });
    assert.equal(resolved.hub?.commit, COMMITS.shardsV1);
    const set = await loadProblemSet(resolved.files);
    assert.deepEqual(
      set.problems.map((p) => p.id),
      ['s1', 's2'],
    );
    assert.deepEqual(
      set.problems.map((p) => p.row),
      [0, 1],
    );
  });

  describe('gated GPQA', () => {
    it('401 without a token: says it is gated and how to get access', async () => {
      await assert.rejects(
        fetchHubDataset(
          parseDatasetSpec('gpqa', () => false)!,
          { settings: settings() },
        ),
        (error: Error) => {
          assert.ok(error instanceof HubError);
          assert.match(
            error.message,
            /Idavidrein\/gpqa is a gated data set: the download of gpqa_diamond\.csv answered 401/,
          );
          assert.match(
            error.message,
            new RegExp(`Open ${hub.endpoint}/datasets/Idavidrein/gpqa, sign in and accept the conditions`),
          );
          assert.match(error.message, /set HF_TOKEN=hf_… \(or run `hf auth login`\)/);
          return true;
        },
      );
    });
    it('403 with a token not granted: the token’s account must accept the conditions', async () => {
      await assert.rejects(
        fetchHubDataset(
          parseDatasetSpec('gpqa', () => false)!,
          { settings: settings({ token: 'hf_other' }) },
        ),
        /gated data set: the download of gpqa_diamond\.csv answered 403 .*Your token has no access yet: open .*datasets\/Idavidrein\/gpqa signed in/,
      );
    });
    it('a granted token: the diamond config, four options with the correct one first', async () => {
      const set = await fetchHubDataset(
        parseDatasetSpec('gpqa', () => false)!,
        { settings: settings({ token: GPQA_TOKEN }) },
      );
      assert.deepEqual(
        set.files.map((f) => f.path),
        ['gpqa_diamond.csv'],
      );
      const problems = (await loadProblemSet(set.files.map((f) => f.local))).problems;
      assert.equal(problems.length, 4);
      assert.deepEqual(problems[1]!.options, ['Neon', 'Radon', 'Nitrogen', 'Sodium']);
      assert.equal(problems[1]!.id, 'recdiamond1');
    });
  });

  it('a missing data set or revision: what the Hub said', async () => {
    await assert.rejects(
      resolveDataset('hf:nobody/nothing', { settings: settings() }),
      /nobody\/nothing: the file list answered 401 \(Repository not found\): the data set is private or does not exist; for a private one set HF_TOKEN/,
    );
    await assert.rejects(
      resolveDataset('hf:HuggingFaceH4/MATH-500@v9', { settings: settings() }),
      /revision "v9" not found/,
    );
  });

  describe('offline', () => {
    it('HF_HUB_OFFLINE with a cache: served from it, nothing asked', async () => {
      const s = settings();
      await fetchHubDataset(
        parseDatasetSpec('math', () => false)!,
        { settings: s },
      );
      const asked = hub.requests.length;
      const set = await fetchHubDataset(
        parseDatasetSpec('math', () => false)!,
        { settings: { ...s, offline: true } },
      );
      assert.equal(hub.requests.length, asked);
      assert.equal(set.offline, true);
      assert.equal(set.commit, COMMITS.math);
      assert.equal((await loadProblemSet(set.files.map((f) => f.local))).problems.length, 105);
    });
    it('the Hub unreachable with a cache: served from it', async () => {
      const s = settings();
      await fetchHubDataset(
        parseDatasetSpec('aime25', () => false)!,
        { settings: s },
      );
      const set = await fetchHubDataset(
        parseDatasetSpec('aime25', () => false)!,
        {
          settings: { ...s, endpoint: `http://127.0.0.1:${closedPort}` },
        },
      );
      assert.equal(set.offline, true);
      assert.equal(set.commit, COMMITS.aime25);
    });
    it('offline without a cache: names the file to download by hand', async () => {
      const s = settings({ offline: true });
      await assert.rejects(
        fetchHubDataset(
          parseDatasetSpec('math', () => false)!,
          { settings: s },
        ),
        new RegExp(
          `HF_HUB_OFFLINE is set, and HuggingFaceH4/MATH-500 is not in the cache \\(.*datasets--HuggingFaceH4--MATH-500\\)\\. ` +
            `Download ${hub.endpoint.replace(/\./g, '\\.')}/datasets/HuggingFaceH4/MATH-500/resolve/main/test\\.jsonl by hand .* and run with --dataset test\\.jsonl`,
        ),
      );
      await assert.rejects(
        fetchHubDataset(
          parseDatasetSpec('gpqa', () => false)!,
          { settings: { ...s, offline: false, endpoint: `http://127.0.0.1:${closedPort}` } },
        ),
        new RegExp(
          `cannot reach the Hub \\(127\\.0\\.0\\.1:${closedPort}: ECONNREFUSED\\), and Idavidrein\/gpqa:gpqa_diamond is not in the cache .*resolve/main/gpqa_diamond\\.csv by hand`,
        ),
      );
      assert.ok(!existsSync(path.join(s.cacheDir, 'datasets--HuggingFaceH4--MATH-500', 'snapshots')));
    });
  });

  it('the environment as huggingface_hub reads it', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'specreason-hfhome-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path.join(home, 'token'), 'hf_saved\n');
    assert.deepEqual(
      await hubSettingsFromEnv({ HF_HOME: home, HF_ENDPOINT: 'http://mirror.local/', HF_HUB_OFFLINE: '1' }),
      {
        endpoint: 'http://mirror.local',
        token: 'hf_saved',
        cacheDir: path.join(home, 'hub'),
        offline: true,
      },
    );
    assert.deepEqual(await hubSettingsFromEnv({ HF_HOME: home, HF_TOKEN: 'hf_env', HF_HUB_CACHE: '/x/cache' }), {
      endpoint: 'https://huggingface.co',
      token: 'hf_env',
      cacheDir: '/x/cache',
      offline: false,
    });
    assert.equal(
      (await hubSettingsFromEnv({ XDG_CACHE_HOME: '/xdg' })).cacheDir,
      path.join('/xdg', 'huggingface', 'hub'),
    );
  });
});
