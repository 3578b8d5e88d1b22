// Scoring on every engine: the same probabilities give the same score (greedy and average) whichever
// engine serves the base model, and an engine that cannot score — no logprobs, or fewer top logprobs
// than the digits need — is found by one score request at check time, with what is missing and the fix.

import assert from 'node:assert/strict';
import { scoreMessages } from '../../src/core/engine/messages';
import { scoringProblem } from '../../src/core/engine/scoringCheck';
import { forgetKind } from '../../src/core/llm/detect';
import { createClients } from '../../src/core/llm/factory';
import { scoreFromLogprobs } from '../../src/core/engine/scoring';
import type { Scenario } from '../../src/sim/scenarios';
import type { SimDialect } from '../../src/sim/simulatedVllm';
import { configFor, numbered, withPair } from './helpers';

const DISTRIBUTION: Scenario = {
  ...numbered(3),
  scores: [
    {
      sampled: '6',
      top: [
        ['6', -0.3],
        ['8', -1.1],
        ['x', -1.5],
        ['2', -2.2],
        ['10', -3],
        ['9', -4],
      ],
    },
  ],
};

const DIALECTS: SimDialect[] = ['vllm', 'sglang', 'llama-server', 'ollama', 'openai'];

describe('scoring on every engine', function () {
  this.timeout(30000);

  it('the same distribution gives the same greedy and average score on every dialect', async () => {
    const scores: Record<string, [number, number]> = {};
    for (const dialect of DIALECTS) {
      await withPair(
        DISTRIBUTION,
        async (pair) => {
          const { base } = createClients(configFor(pair));
          const reply = await base.score(scoreMessages('P', ['small step 0']), new AbortController().signal);
          assert.equal(base.kind, dialect);
          scores[dialect] = [
            scoreFromLogprobs('greedy', reply.sampledToken, reply.topLogprobs),
            scoreFromLogprobs('average', reply.sampledToken, reply.topLogprobs),
          ];
          forgetKind(pair.base.url);
        },
        { base: { dialect }, small: { dialect } },
      );
    }
    const expected =
      (6 * Math.exp(-0.3) + 8 * Math.exp(-1.1) + 2 * Math.exp(-2.2) + 10 * Math.exp(-3) + 9 * Math.exp(-4)) /
      (Math.exp(-0.3) + Math.exp(-1.1) + Math.exp(-2.2) + Math.exp(-3) + Math.exp(-4));
    for (const dialect of DIALECTS) {
      assert.equal(scores[dialect]![0], 6, `${dialect} greedy`);
      assert.ok(Math.abs(scores[dialect]![1] - expected) < 1e-12, `${dialect} average ${scores[dialect]![1]}`);
    }
  });

  it('every dialect passes the check with its full top 10', async () => {
    for (const dialect of DIALECTS) {
      await withPair(
        numbered(2),
        async (pair) => {
          const { base } = createClients(configFor(pair));
          assert.equal(await scoringProblem(base, 'average'), undefined, `${dialect} can score`);
          forgetKind(pair.base.url);
        },
        { base: { dialect }, small: { dialect } },
      );
    }
  });

  const refusals: Array<{
    name: string;
    dialect: SimDialect;
    base: object;
    missing: RegExp;
    fix: RegExp;
    greedyOk: boolean;
  }> = [
    {
      name: 'vLLM without logprobs',
      dialect: 'vllm',
      base: { faults: [{ fault: 'missing-logprobs', kind: 'score' }] },
      missing: /vLLM returned no logprobs/,
      fix: /--max-logprobs/,
      greedyOk: false,
    },
    {
      name: 'Ollama before 0.12.11',
      dialect: 'ollama',
      base: { ollamaVersion: '0.11.4' },
      missing: /Ollama returned no logprobs/,
      fix: /0\.12\.11/,
      greedyOk: false,
    },
    {
      name: 'a server that caps top logprobs at 5 (as TGI)',
      dialect: 'sglang',
      base: { topLogprobsCap: 5 },
      missing: /returned 5 top logprobs; the average score weighs the digits among the top 10/,
      fix: /greedy/,
      greedyOk: true,
    },
  ];
  for (const r of refusals) {
    it(`refused at check time: ${r.name}`, () =>
      withPair(
        DISTRIBUTION,
        async (pair) => {
          const { base } = createClients(configFor(pair));
          const problem = await scoringProblem(base, 'average');
          assert.ok(problem, 'refused');
          assert.match(problem.missing, r.missing);
          assert.match(problem.fix, r.fix);
          assert.equal((await scoringProblem(base, 'greedy')) === undefined, r.greedyOk, 'greedy');
          forgetKind(pair.base.url);
        },
        { base: { dialect: r.dialect, ...r.base }, small: { dialect: r.dialect } },
      ));
  }
});
