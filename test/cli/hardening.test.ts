// The CLI under signals, closed pipes, bad paths, bad input and secrets: subprocesses of dist/cli.js
// against the simulated pair. Nothing here measures time: signals are sent once the server saw the
// request they should interrupt.

import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/engine/runRecord';
import type { SimPair } from '../../src/sim/scenarios';
import { numbered, withPair } from '../unit/helpers';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

interface CliOptions {
  env?: Record<string, string>;
  /** Close our end of the child's stdout before it writes anything (`| head -c 0`). */
  closeStdout?: boolean;
  /** Send this signal once `when` returns true (polled). */
  signal?: NodeJS.Signals;
  when?: () => boolean;
}

function cli(
  args: string[],
  options: CliOptions = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPECREASON_API_KEY: '', ...options.env },
    });
    let stdout = '';
    let stderr = '';
    if (options.closeStdout) {
      child.stdout.destroy();
    } else {
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    }
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    let poll: NodeJS.Timeout | undefined;
    if (options.signal) {
      poll = setInterval(() => {
        if (options.when?.() ?? true) {
          clearInterval(poll);
          child.kill(options.signal);
        }
      }, 10);
    }
    child.on('close', (code) => {
      clearInterval(poll);
      resolve({ code, stdout, stderr });
    });
  });
}

const urls = (pair: SimPair) => ['--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl];
const slowSmall = { small: { prefillMsPerToken: 0, decodeMsPerToken: 5, overlapSlowdown: 0, overheadMs: 0 } };
const slowBase = { base: { prefillMsPerToken: 0, decodeMsPerToken: 5, overlapSlowdown: 0, overheadMs: 0 } };
/** The server has finished step 2's score: the run is well under way. */
const pastStep = (pair: SimPair, step: number) => () =>
  pair.base.log.some((e) => e.kind === 'score' && e.stepIndex === step && e.endedAt !== undefined);

describe('specreason CLI: signals, pipes, paths, input and secrets (subprocess)', function () {
  this.timeout(30000);
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-cli-hard-'));

  for (const [signal, code] of [
    ['SIGTERM', 143],
    ['SIGHUP', 129],
  ] as const) {
    it(`${signal} cancels like Ctrl+C: the partial run is written, exit ${code}`, () =>
      withPair(
        numbered(40),
        async (pair) => {
          const out = path.join(dir, `${signal}.json`);
          const r = await cli(['solve', '--problem', 'x', ...urls(pair), '--out', out], {
            signal,
            when: pastStep(pair, 2),
          });
          assert.equal(r.code, code, r.stderr);
          const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
          assert.equal(record.summary.stopReason, 'cancelled');
          assert.ok(record.steps.length >= 3 && record.steps.length < 40, `${record.steps.length} steps`);
          await pair.small.settled();
          assert.equal(pair.small.openRequests().length, 0, 'no request left open');
        },
        { latency: slowSmall },
      ));
  }

  for (const mode of ['base', 'small'] as const) {
    it(`a cancelled ${mode}-only run keeps the text it streamed`, () =>
      withPair(
        numbered(200),
        async (pair) => {
          const out = path.join(dir, `${mode}-only.json`);
          const server = mode === 'base' ? pair.base : pair.small;
          // Some time into the reply (2,000 tokens at 5 ms each): text has been streamed, the reply is not over.
          let streamingSince: number | undefined;
          const r = await cli(['solve', '--problem', 'x', '--mode', mode, ...urls(pair), '--out', out, '-q'], {
            signal: 'SIGINT',
            when: () => {
              if (server.log.some((e) => e.kind === 'full')) {
                streamingSince ??= Date.now();
              }
              return streamingSince !== undefined && Date.now() - streamingSince > 300;
            },
          });
          assert.equal(r.code, 130, r.stderr);
          const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
          assert.equal(record.summary.stopReason, 'cancelled');
          assert.equal(record.steps.length, 1, 'the streamed text is kept as the (partial) baseline step');
          assert.match(record.steps[0]!.step_str, new RegExp(`^${mode} step 0`));
          assert.match(record.steps[0]!.warning ?? '', /partial/);
        },
        // A long reply (200 steps as one text) that is streamed slowly, so the signal comes mid-reply.
        { latency: mode === 'base' ? slowBase : slowSmall },
      ));
  }

  it('-q still prints why a run failed', () =>
    withPair(numbered(3), async (pair) => {
      await pair.small.stop();
      const r = await cli(['solve', '--problem', 'x', ...urls(pair), '-q']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error: no server at http:\/\/127\.0\.0\.1:\d+\/v1/);
      assert.doesNotMatch(r.stderr, /^done:|^step /m, 'no progress lines');
    }));

  it('a closed stdout (--json | head) ends quietly with the run exit code', () =>
    withPair(numbered(3), async (pair) => {
      const r = await cli(['solve', '--problem', 'x', ...urls(pair), '--json', '-q'], { closeStdout: true });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stderr, '', 'no EPIPE stack trace');
    }));

  it('--out that cannot be written is exit 2 before any request', () =>
    withPair(numbered(3), async (pair) => {
      const file = path.join(dir, 'a-file');
      writeFileSync(file, 'x');
      mkdirSync(path.join(dir, 'a-dir'), { recursive: true });
      const fifo = path.join(dir, 'a-fifo');
      execFileSync('mkfifo', [fifo]);
      for (const [out, message] of [
        [path.join(dir, 'a-dir'), /is a directory/],
        [path.join(file, 'run.json'), /is under .*a-file, which is a file/],
        ['/proc/specreason-run.json', /cannot be written/],
        [fifo, /not a regular file/], // writing to a pipe nobody reads would block forever
      ] as const) {
        const r = await cli(['solve', '--problem', 'x', ...urls(pair), '--out', out]);
        assert.equal(r.code, 2, `${out}: ${r.stderr}`);
        assert.match(r.stderr, message);
      }
      assert.equal(pair.base.log.length + pair.small.log.length, 0, 'no request was made');
    }));

  it('removes terminal control sequences from model text on stderr; the record keeps the text as sent', () =>
    withPair(
      {
        small: [
          'clear\u001b[2J\u001b[H screen \u001b]0;pwned title\u0007and\u009b31m red\u0008 ok',
          'So $\\boxed{1}$.',
        ],
        base: ['b', 'So $\\boxed{1}$.'],
        scores: [9, 9],
      },
      async (pair) => {
        const out = path.join(dir, 'escapes.json');
        const r = await cli(['solve', '--problem', 'x', ...urls(pair), '--out', out]);
        assert.equal(r.code, 0, r.stderr);
        assert.doesNotMatch(r.stderr, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no control character on stderr');
        assert.match(r.stderr, /clear screen and red ok/);
        const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
        assert.match(record.steps[0]!.step_str, /\u001b\[2J/, 'the record keeps the text as the model sent it');
      },
    ));

  it('refuses conflicting, empty, oversized and binary problems (exit 2)', async () => {
    const bin = path.join(dir, 'nul.txt');
    writeFileSync(bin, 'What is\u0000 2+2?');
    const latin1 = path.join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café" in Latin-1
    const long = 'a'.repeat(20001);
    const cases: Array<[string[], RegExp]> = [
      [['--problem', 'x', '--problem-file', bin], /give one problem: --problem and --problem-file/],
      [['--problem', ' \n\t'], /--problem is empty/],
      [['--problem', long], /20001 characters; the limit is 20000/],
      [['--problem', 'abc', '--max-problem-length', '2'], /3 characters; the limit is 2/],
      [['--problem-file', bin], /contains NUL bytes/],
      [['--problem-file', latin1], /is not UTF-8 text/],
    ];
    for (const [args, message] of cases) {
      const r = await cli([
        'solve',
        ...args,
        '--base-url',
        'http://127.0.0.1:9/v1',
        '--small-url',
        'http://127.0.0.1:9/v1',
      ]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
  });

  it('--max-problem-length raises the limit', () =>
    withPair(numbered(2), async (pair) => {
      const r = await cli([
        'solve',
        '--problem',
        'a'.repeat(20001),
        '--max-problem-length',
        '30000',
        ...urls(pair),
        '-q',
      ]);
      assert.equal(r.code, 0, r.stderr);
    }));

  it('finds dataset rows by their id (string or number), by line only without ids; empty problems are exit 2', () =>
    withPair(numbered(2), async (pair) => {
      const withIds = path.join(dir, 'ids.jsonl');
      writeFileSync(
        withIds,
        [
          '{"id": "2024-I-1", "problem": "string id"}',
          '{"id": 0, "problem": "number id"}',
          '{"id": 5, "problem": "  "}',
        ].join('\n'),
      );
      const noIds = path.join(dir, 'noids.jsonl');
      writeFileSync(noIds, ['{"problem": "line zero"}', '{"problem": "line one"}'].join('\n'));
      const solve = (dataset: string, id: string) =>
        cli(['solve', '--dataset', dataset, '--problem_id', id, ...urls(pair), '--json', '-q']);
      const problemOf = (r: { stdout: string }) => (JSON.parse(r.stdout) as RunRecord).problem.text;
      assert.equal(problemOf(await solve(withIds, '2024-I-1')), 'string id');
      assert.equal(problemOf(await solve(withIds, '0')), 'number id', 'id 0, not line 0');
      assert.equal(problemOf(await solve(noIds, '1')), 'line one');
      const missing = await solve(withIds, '1');
      assert.equal(missing.code, 2);
      assert.match(missing.stderr, /--problem_id 1 is not an "id"/);
      const empty = await solve(withIds, '5');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /problem 5 is empty/);
    }));

  it('--output_dir reruns a run that did not complete and keeps its old record beside it', () =>
    withPair(numbered(2), async (pair) => {
      const dataset = path.join(dir, 'retry.jsonl');
      writeFileSync(dataset, '{"id": 7, "problem": "p"}\n');
      const results = path.join(dir, 'retry-results');
      const args = ['solve', '--dataset', dataset, '--problem_id', '7', '--output_dir', results, ...urls(pair), '-q'];
      const file = path.join(results, '7', '0.json');
      mkdirSync(path.dirname(file), { recursive: true });
      for (const [stopReason, label] of [
        ['error', 'failed'],
        ['cancelled', 'cancelled'],
      ]) {
        writeFileSync(file, JSON.stringify({ runId: `old-${stopReason}`, summary: { stopReason } }));
        const r = await cli(args);
        assert.equal(r.code, 0, r.stderr);
        assert.equal((JSON.parse(readFileSync(file, 'utf8')) as RunRecord).summary.stopReason, 'finished');
        const kept = JSON.parse(readFileSync(path.join(results, '7', `0.${label}.json`), 'utf8')) as RunRecord;
        assert.equal(kept.runId, `old-${stopReason}`);
      }
      const requests = pair.small.log.length;
      const again = await cli(args);
      assert.equal(again.code, 0);
      assert.match(again.stderr, /resolved .*exists/);
      assert.equal(pair.small.log.length, requests, 'a finished run is not run again');
    }));

  it('refuses a URL with a query or fragment, and hints at /v1 when the server answers there', () =>
    withPair(numbered(2), async (pair) => {
      for (const url of [`${pair.base.baseUrl}?x=1`, `${pair.base.baseUrl}#frag`]) {
        const r = await cli(['solve', '--problem', 'x', '--base-url', url, '--small-url', pair.small.baseUrl]);
        assert.equal(r.code, 2);
        assert.match(r.stderr, /must not have a query \(\?…\) or fragment/);
      }
      const root = pair.base.baseUrl.replace(/\/v1$/, '');
      const r = await cli(['solve', '--problem', 'x', '--base-url', root, '--small-url', pair.small.baseUrl, '-q']);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes(`did you mean ${root}/v1?`), r.stderr);
    }));

  describe('secrets', () => {
    const KEY = 'sk-test-do-not-print-0042';

    it('refuses a URL with a user name or password (solve and check), without repeating them', async () => {
      const url = 'http://alice:hunter2-secret@127.0.0.1:9/v1';
      for (const args of [
        ['solve', '--problem', 'x', '--base-url', url, '--json'],
        ['check', '--small-url', url],
      ]) {
        const r = await cli(args);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /has a user name or password in it .*SPECREASON_API_KEY/);
        assert.ok(!`${r.stdout}${r.stderr}`.includes('hunter2'), 'the password is not printed');
        assert.ok(!`${r.stdout}${r.stderr}`.includes('alice'), 'the user name is not printed');
      }
    });

    it('sends the API key as a bearer header and prints or records it nowhere', () =>
      withPair(
        numbered(2),
        async (pair) => {
          const out = path.join(dir, 'keyed.json');
          const ok = await cli(['solve', '--problem', 'x', ...urls(pair), '--out', out, '--json'], {
            env: { SPECREASON_API_KEY: KEY },
          });
          assert.equal(ok.code, 0, ok.stderr);
          assert.ok(pair.base.log.every((e) => e.authorization === `Bearer ${KEY}`));
          const check = await cli(['check', ...urls(pair)], { env: { SPECREASON_API_KEY: KEY } });
          assert.equal(check.code, 0, check.stderr);
          const wrong = await cli(['solve', '--problem', 'x', ...urls(pair), '--json'], {
            env: { SPECREASON_API_KEY: `${KEY}-wrong` },
          });
          assert.equal(wrong.code, 1);
          assert.match(wrong.stderr, /refused the API key/);
          for (const text of [
            ok.stdout,
            ok.stderr,
            readFileSync(out, 'utf8'),
            check.stdout,
            check.stderr,
            wrong.stdout,
            wrong.stderr,
          ]) {
            assert.ok(!text.includes(KEY), 'the key appears nowhere');
          }
          assert.equal((JSON.parse(readFileSync(out, 'utf8')) as RunRecord).config.base.apiKey, '<redacted>');
        },
        { base: { apiKey: KEY }, small: { apiKey: KEY } },
      ));
  });
});
