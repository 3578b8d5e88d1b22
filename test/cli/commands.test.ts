// The CLI end to end, as a subprocess of the bundled dist/cli.js, against the simulated pair.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { CLI, cli, freePort } from './cliProcess';
import { startSimPair } from '../../src/sim/scenarios';
import { numbered, withPair } from '../unit/helpers';

describe('specreason CLI (subprocess)', function () {
  this.timeout(30000);
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-cli-'));

  it('solves a problem, prints progress and writes the run JSON', () =>
    withPair(numbered(3, [9, 2, 9]), async (pair) => {
      const out = path.join(dir, 'run.json');
      const r = await cli([
        'solve',
        '--problem',
        'What is 2+2?',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.small.baseUrl,
        '--threshold',
        '5',
        '--out',
        out,
      ]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, /step +0 +small ✓ score 9\.00/);
      assert.match(r.stderr, /step +1 +base +✗ score 2\.00, rewritten/);
      assert.match(r.stderr, /done: finished after 3 steps/);
      const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
      assert.deepEqual(
        record.steps.map((s) => s.origin),
        ['small', 'base-fallback', 'small'],
      );
      assert.equal(record.summary.answer, '42');
      assert.equal(record.config.threshold, 5);
    }));

  it('accepts the reference flags and a JSONL dataset, writing DIR/N/R.json and skipping runs that exist', () =>
    withPair(numbered(2), async (pair) => {
      const dataset = path.join(dir, 'set.jsonl');
      writeFileSync(
        dataset,
        ['{"problem": "first"}', '{"id": 61, "problem": "second", "A": "1", "B": "2", "C": "3", "D": "4"}'].join('\n'),
      );
      const args = [
        'solve',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.small.baseUrl,
        '--dataset',
        dataset,
        '--problem_id',
        '61',
        '--repeat_id',
        '3',
        '--output_dir',
        path.join(dir, 'results'),
        '--score_threshold',
        '8.5',
        '--score_method',
        'average',
        '--token_budget',
        '4096',
        '--first_n_steps_base_model',
        '1',
        '-q',
      ];
      const r = await cli(args);
      assert.equal(r.code, 0, r.stderr);
      const record = JSON.parse(readFileSync(path.join(dir, 'results', '61', '3.json'), 'utf8')) as RunRecord;
      assert.deepEqual(record.problem, { text: 'second', choices: { A: '1', B: '2', C: '3', D: '4' } });
      assert.equal(record.config.threshold, 8.5);
      assert.equal(record.config.scoreMethod, 'average');
      assert.equal(record.config.tokenBudget, 4096);
      assert.equal(record.steps[0]!.origin, 'base-forced');
      const again = await cli(args);
      assert.equal(again.code, 0);
      assert.match(again.stderr, /resolved .*exists/);
    }));

  it('runs base-only decoding with --mode base and prints the JSON with --json', () =>
    withPair(numbered(2), async (pair) => {
      const r = await cli([
        'solve',
        '--problem',
        'x',
        '--mode',
        'base',
        '--json',
        '-q',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.small.baseUrl,
      ]);
      assert.equal(r.code, 0, r.stderr);
      const record = JSON.parse(r.stdout) as RunRecord;
      assert.equal(record.mode, 'base');
      assert.equal(record.summary.answer, '42');
    }));

  it('tells the user what to fix: server down (exit 1), bad flags (exit 2)', async () => {
    const port = await freePort();
    const down = await cli([
      'solve',
      '--problem',
      'x',
      '--base-url',
      `http://127.0.0.1:${port}/v1`,
      '--small-url',
      `http://127.0.0.1:${port}/v1`,
    ]);
    assert.equal(down.code, 1);
    assert.match(down.stderr, new RegExp(`no server at http://127\\.0\\.0\\.1:${port}/v1 — is vLLM running\\?`));
    assert.match(down.stderr, new RegExp(`\\n  cause: .*ECONNREFUSED 127\\.0\\.0\\.1:${port}`), 'the error underneath');
    const bad = await cli(['solve', '--problem', 'x', '--threshold', '12']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /threshold must be between 0 and 9 \(got 12\)/);
    const nan = await cli(['solve', '--problem', 'x', '--token-budget', 'lots']);
    assert.equal(nan.code, 2);
    assert.match(nan.stderr, /--token-budget must be a whole number/);
    const none = await cli(['solve']);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give a problem/);
  });

  it('Ctrl+C cancels and still writes the partial run (exit 130)', () =>
    withPair(
      numbered(30),
      async (pair) => {
        const out = path.join(dir, 'partial.json');
        const r = await cli(
          ['solve', '--problem', 'x', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl, '--out', out],
          { signalAfterMs: 20 },
        );
        assert.equal(r.code, 130, r.stderr);
        const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
        assert.equal(record.summary.stopReason, 'cancelled');
        assert.ok(record.steps.length >= 2 && record.steps.length < 30);
      },
      { latency: { small: { prefillMsPerToken: 0, decodeMsPerToken: 3, overlapSlowdown: 0, overheadMs: 0 } } },
    ));

  it('check reports both servers', () =>
    withPair(numbered(2), async (pair) => {
      const r = await cli(['check', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl]);
      assert.equal(r.code, 0);
      assert.match(
        r.stdout,
        /base +http:\/\/127\.0\.0\.1:\d+\/v1 +ok +model Qwen\/QwQ-32B +max_model_len 32768 +vLLM 0\.11\.0/,
      );
      await pair.small.stop();
      const down = await cli(['check', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl]);
      assert.equal(down.code, 1);
      assert.match(down.stdout, /small .*FAILED +no server at/);
    }));

  it('check --deep: the report on stdout; exit 1 with the fix when a check fails', async () => {
    const pair = await startSimPair(numbered(3), { small: { prefixCaching: false } });
    try {
      const out = await cli(['check', '--deep', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl]);
      assert.equal(out.code, 1, out.stderr);
      assert.match(out.stdout, /SpecReason conformance probe — specreason CLI/);
      assert.match(out.stdout, /base: .* — vllm, model Qwen\/QwQ-32B, context 32768\n {2}PASS {2}continuation/);
      assert.match(out.stdout, /FAIL {2}prefix-caching: off .*\n {8}fix: start vLLM with --enable-prefix-caching/);
      const budget = await cli([
        'check',
        '--deep',
        '--token-budget',
        '40000',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.base.baseUrl,
      ]);
      assert.equal(budget.code, 1);
      assert.match(budget.stdout, /FAIL {2}context: context 32768 < budget 40000/);
    } finally {
      await pair.stop();
    }
  });

  it('check --policy says when a server cannot serve the step policy, naming it and what it lacks', () =>
    withPair(
      numbered(2),
      async (pair) => {
        const args = ['check', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl];
        const fine = await cli([...args, '--policy', 'self-check']);
        assert.equal(fine.code, 0, fine.stdout + fine.stderr);
        const blocked = await cli([...args, '--policy', 'first-token']);
        assert.equal(blocked.code, 1);
        assert.match(
          blocked.stdout,
          /policy first-token +CANNOT RUN +The first-token policy needs the top-20 logprobs of a step's first token from the small server, which Ollama does not serve here/,
        );
      },
      { small: { dialect: 'ollama' } },
    ));

  it('check --policy lookahead: vLLM serves its prompt lists; a llama-server base cannot, and check says so', () =>
    withPair(
      numbered(2),
      async (pair) => {
        const args = ['check', '--base-url', pair.base.baseUrl, '--small-url', pair.small.baseUrl];
        const blocked = await cli([...args, '--policy', 'lookahead']);
        assert.equal(blocked.code, 1);
        assert.match(
          blocked.stdout,
          /policy lookahead +CANNOT RUN +The lookahead policy needs a prompt list on \/v1\/completions .* from the base server, which llama\.cpp's llama-server does not serve here \(use vLLM or SGLang for the base model/,
        );
        const multiDraft = await cli([...args, '--policy', 'multi-draft']);
        assert.equal(multiDraft.code, 0, 'multi-draft scores one by one on such a base');
      },
      { base: { dialect: 'llama-server' } },
    ));

  it('solve --policy first-token routes each step by the first-token entropy and records the decisions', () =>
    withPair(numbered(3), async (pair) => {
      const out = path.join(dir, 'first-token.json');
      const r = await cli([
        'solve',
        '--problem',
        'What is 2+2?',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.small.baseUrl,
        '--policy',
        'first-token',
        '--entropy-threshold',
        '1.0',
        '--out',
        out,
        '-q',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
      assert.equal(record.summary.policy, 'first-token');
      assert.equal(record.config.entropyThreshold, 1);
      assert.deepEqual(
        record.steps.map((s) => [s.decision?.signal, s.decision?.outcome]),
        [
          ['entropy', 'small-wrote'],
          ['entropy', 'small-wrote'],
          ['entropy', 'small-wrote'],
        ],
      );
      assert.equal(record.summary.costs?.judgeCalls, 0);
    }));
});
