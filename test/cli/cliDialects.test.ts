// `specreason solve`, `compare` and `eval` (subprocesses of dist/cli.js) against every dialect of the
// simulator, the kind auto-detected: the same decisions as against vLLM on the same scripted replies.

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RunRecord } from '../../src/core/engine/runRecord';
import { demoSetJsonl, demoSetScripts } from '../../src/sim/evalDemo';
import { startSimPair, type SimPair } from '../../src/sim/scenarios';
import type { SimDialect } from '../../src/sim/simulatedVllm';
import { CLI, cli } from './cliProcess';
import { numbered, withPair } from '../unit/helpers';

const DIALECTS: Array<{ name: string; base: SimDialect; small: SimDialect }> = [
  { name: 'vLLM', base: 'vllm', small: 'vllm' },
  { name: 'SGLang', base: 'sglang', small: 'sglang' },
  { name: 'llama-server', base: 'llama-server', small: 'llama-server' },
  { name: 'Ollama', base: 'ollama', small: 'ollama' },
  { name: 'OpenAI-compatible provider', base: 'openai', small: 'openai' },
  { name: 'small on Ollama, base on SGLang', base: 'sglang', small: 'ollama' },
];

const urls = (pair: SimPair) => ['--base-url', pair.base.userUrl, '--small-url', pair.small.userUrl];

const decisions = (record: RunRecord) =>
  record.steps.map((s) => [s.origin, s.score, s.step_str, s.final_num_output_tokens]);

describe('the CLI against every engine (subprocess)', function () {
  this.timeout(120000);
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-dialects-'));
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });

  it('solve: the same steps, scores and answer on every engine', async () => {
    const records: RunRecord[] = [];
    for (const d of DIALECTS) {
      await withPair(
        numbered(5, [9, 2, 9, 9, 9]),
        async (pair) => {
          const out = path.join(dir, `solve-${d.base}-${d.small}.json`);
          const r = await cli(['solve', '--problem', 'Add them.', ...urls(pair), '--threshold', '5', '--out', out]);
          assert.equal(r.code, 0, `${d.name}: ${r.stderr}`);
          const record = JSON.parse(readFileSync(out, 'utf8')) as RunRecord;
          assert.deepEqual(record.serverKinds, { base: d.base, small: d.small }, d.name);
          records.push(record);
        },
        { base: { dialect: d.base }, small: { dialect: d.small } },
      );
    }
    for (const [i, record] of records.entries()) {
      assert.deepEqual(decisions(record), decisions(records[0]!), DIALECTS[i]!.name);
      assert.equal(record.summary.answer, '42');
    }
  });

  it('compare --json: the same runs and agreement on every engine', async () => {
    const outcomes: unknown[] = [];
    for (const d of DIALECTS) {
      await withPair(
        numbered(3, [9, 2, 9]),
        async (pair) => {
          const r = await cli(['compare', '--problem', 'What is 2+2?', ...urls(pair), '--threshold', '5', '--json']);
          assert.equal(r.code, 0, `${d.name}: ${r.stderr}`);
          const out = JSON.parse(r.stdout) as { comparison: { answersAgree: boolean }; runs: RunRecord[] };
          outcomes.push([
            out.comparison.answersAgree,
            out.runs.map((run) => [run.mode, run.summary.stopReason, run.summary.answer, decisions(run)]),
          ]);
        },
        { base: { dialect: d.base }, small: { dialect: d.small } },
      );
    }
    for (const [i, outcome] of outcomes.entries()) {
      assert.deepEqual(outcome, outcomes[0], DIALECTS[i]!.name);
    }
  });

  it('eval: the same verdict for every run of a problem set on every engine', async () => {
    const dataset = path.join(dir, 'demo.jsonl');
    writeFileSync(dataset, demoSetJsonl());
    const scripts = demoSetScripts();
    const verdicts: unknown[] = [];
    for (const d of DIALECTS) {
      const pair = await startSimPair(
        { small: [], base: [] },
        { base: { ...scripts.base, dialect: d.base }, small: { ...scripts.small, dialect: d.small } },
      );
      try {
        const out = path.join(dir, `eval-${d.base}-${d.small}`);
        const r = await cli([
          'eval',
          '--dataset',
          dataset,
          ...urls(pair),
          '--ids',
          'd01,d04,d11',
          '--thresholds',
          '3,9',
          '--json',
          '--quiet',
          '--out',
          out,
        ]);
        assert.equal(r.code, 0, `${d.name}: ${r.stderr}`);
        const results = JSON.parse(r.stdout) as { runs: Array<Record<string, unknown>> };
        verdicts.push(
          results.runs
            .map((run) => [run.problemId, run.mode, run.threshold, run.answer, run.correct, run.stopReason])
            .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
        );
      } finally {
        await pair.stop();
      }
    }
    assert.equal((verdicts[0] as unknown[]).length, 12);
    for (const [i, v] of verdicts.entries()) {
      assert.deepEqual(v, verdicts[0], DIALECTS[i]!.name);
    }
  });

  it('check: each engine named, and a base Ollama without logprobs refused with the fix', () =>
    withPair(
      numbered(2),
      async (pair) => {
        const r = await cli(['check', ...urls(pair), '--score-method', 'average']);
        assert.equal(r.code, 1, r.stdout + r.stderr);
        assert.match(r.stdout, /^base .* CANNOT SCORE {2}Ollama returned no logprobs.*\n {6}.*0\.12\.11/m);
        assert.match(r.stdout, /^small .* ok .* llama\.cpp's llama-server /m);
      },
      { base: { dialect: 'ollama', ollamaVersion: '0.11.4' }, small: { dialect: 'llama-server' } },
    ));

  it('check --deep: the conformance probe passes on every engine (SGLang warns of its doubled <think>)', async () => {
    for (const d of DIALECTS) {
      await withPair(
        numbered(2),
        async (pair) => {
          const r = await cli(['check', '--deep', ...urls(pair)]);
          assert.equal(r.code, 0, `${d.name}: ${r.stdout}${r.stderr}`);
          assert.doesNotMatch(r.stdout, /FAIL/, d.name);
          for (const role of ['base', 'small'] as const) {
            const kind = d[role];
            const section = new RegExp(`^${role}: .* — ${kind}, model .*\n {2}(PASS|WARN) {2}continuation`, 'm');
            assert.match(r.stdout, section, `${d.name}: ${r.stdout}`);
            const warned = new RegExp(
              `^${role}: .*\n {2}WARN {2}continuation: .*reads <think> twice\n {8}fix: SGLang`,
              'm',
            );
            if (kind === 'sglang') {
              assert.match(r.stdout, warned, d.name);
            } else {
              assert.doesNotMatch(r.stdout, warned, d.name);
            }
          }
        },
        { base: { dialect: d.base }, small: { dialect: d.small } },
      );
    }
  });
});
