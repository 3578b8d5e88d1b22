// Evaluation and comparison modes: which configurations a list of modes and sweeps makes, their names and
// labels (one naming for the CLI's folders, results.json and the Evaluate panel), the run config of each,
// and a configuration's costs in the results.

import assert from 'node:assert/strict';
import { makeConfig } from '../../src/core/config';
import { configFor, configurationLabel, configurationName, configurationsOf } from '../../src/core/eval/modes';
import { buildResults } from '../../src/core/eval/results';
import type { RunRow } from '../../src/core/eval/evaluation';
import type { PolicyCosts } from '../../src/core/engine/runRecord';
import { compare } from '../../src/core/presentation/compareTable';
import { emptySummary, type RunSummary } from '../../src/core/engine/runRecord';

describe('evaluation modes', () => {
  it('a policy runs the SpecReason loop with its own parameter swept; baselines stay one configuration', () => {
    const configurations = configurationsOf(
      ['specreason', 'first-token', 'lookahead', 'base'],
      [7],
      ['greedy'],
      { entropyThresholds: [0.6, 1.2], lookaheadSteps: [2] },
      makeConfig(),
    );
    assert.deepEqual(
      configurations.map((c) => [c.name, c.label, c.mode, c.policy, c.threshold, c.params]),
      [
        ['specreason-t7-greedy', 'SpecReason t=7 greedy', 'specreason', 'specreason', 7, undefined],
        ['first-token-h0.6', 'first-token H≥0.6', 'specreason', 'first-token', null, { entropyThreshold: 0.6 }],
        ['first-token-h1.2', 'first-token H≥1.2', 'specreason', 'first-token', null, { entropyThreshold: 1.2 }],
        ['lookahead-k2-t7-greedy', 'lookahead k=2 t=7', 'specreason', 'lookahead', 7, { lookaheadSteps: 2 }],
        ['base', 'Base only', 'base', undefined, null, undefined],
      ],
    );
  });

  it("without a sweep a policy takes the config's value; policies that score drafts cross thresholds and methods", () => {
    const config = makeConfig({ draftCount: 4 });
    const names = configurationsOf(['multi-draft', 'self-check'], [5, 9], ['greedy', 'average'], {}, config).map(
      (c) => c.name,
    );
    assert.deepEqual(names, [
      'multi-draft-n4-t5-greedy',
      'multi-draft-n4-t5-average',
      'multi-draft-n4-t9-greedy',
      'multi-draft-n4-t9-average',
      `self-check-s${config.selfCheckThreshold}-t5-greedy`,
      `self-check-s${config.selfCheckThreshold}-t5-average`,
      `self-check-s${config.selfCheckThreshold}-t9-greedy`,
      `self-check-s${config.selfCheckThreshold}-t9-average`,
    ]);
    // The names the CLI and the results used before policies: unchanged.
    assert.deepEqual(
      configurationsOf(['specreason', 'base', 'small'], [3, 9], ['greedy']).map((c) => c.name),
      ['specreason-t3-greedy', 'specreason-t9-greedy', 'base', 'small'],
    );
    // A run row of results written before policies (no policy field) names the same configuration.
    assert.equal(
      configurationName({ mode: 'specreason', threshold: 7, scoreMethod: 'greedy' }),
      'specreason-t7-greedy',
    );
    assert.equal(configurationLabel({ mode: 'small' }), 'Small only');
  });

  it("a configuration's run config: its policy, parameter and threshold; SpecReason's own leaves stepPolicy out", () => {
    const config = makeConfig({ stepPolicy: 'self-check', threshold: 6 });
    const [spec, first, adaptive] = configurationsOf(
      ['specreason', 'first-token', 'adaptive-threshold'],
      [8],
      ['greedy'],
      { entropyThresholds: [1.1] },
      config,
    );
    const specConfig = configFor(spec!, config);
    assert.equal('stepPolicy' in specConfig, false, 'SpecReason: exactly the reference config (no policy field)');
    assert.equal(specConfig.threshold, 8);
    const firstConfig = configFor(first!, config);
    assert.equal(firstConfig.stepPolicy, 'first-token');
    assert.equal(firstConfig.entropyThreshold, 1.1);
    assert.equal(firstConfig.threshold, 6, 'a policy that scores no draft keeps the configured threshold');
    assert.equal(configFor(adaptive!, config).stepPolicy, 'adaptive-threshold');
    assert.equal(adaptive!.label, 'adaptive threshold t=8');
  });

  it("results carry each configuration's policy, parameter, label and costs (mean and total per run)", () => {
    const configurations = configurationsOf(['first-token', 'base'], [7], ['greedy'], { entropyThresholds: [0.9] });
    const costs = (judge: number, small: number, critical: number): PolicyCosts => ({
      requests: { small, base: 1 },
      judgeCalls: judge,
      tokens: { small: 10 * small, base: 20 },
      wastedTokens: judge,
      criticalPathMs: critical,
      lowerBoundMs: critical / 2,
    });
    const row = (configuration: string, repeat: number, extra: Partial<RunRow>): RunRow => ({
      configuration,
      problemId: 'p1',
      repeat,
      mode: 'specreason',
      threshold: null,
      scoreMethod: null,
      answer: '1',
      gold: '1',
      correct: true,
      rule: 'exact',
      wallMs: 100,
      ttftMs: null,
      stopReason: 'finished',
      smallTokens: 1,
      baseTokens: 1,
      steps: 1,
      accepted: 0,
      rejected: 0,
      file: 'x',
      ...extra,
    });
    const rows = [
      row('first-token-h0.9', 0, { policy: 'first-token', costs: costs(0, 4, 300) }),
      row('first-token-h0.9', 1, { policy: 'first-token', costs: costs(0, 6, 500) }),
      row('base', 0, { mode: 'base', wallMs: 200 }),
    ];
    const results = buildResults(rows, configurations, {
      dataset: 'd.jsonl',
      tokenBudget: 8192,
      repeats: 2,
      concurrency: 1,
      choiceOrder: 'shuffled',
    });
    const [first, base] = results.configurations;
    assert.equal(first!.policy, 'first-token');
    assert.equal(first!.label, 'first-token H≥0.9');
    assert.deepEqual(first!.params, { entropyThreshold: 0.9 });
    assert.deepEqual(first!.costs, {
      runs: 2,
      mean: {
        requests: { small: 5, base: 1 },
        judgeCalls: 0,
        tokens: { small: 50, base: 20 },
        wastedTokens: 0,
        criticalPathMs: 400,
        lowerBoundMs: 200,
      },
      total: {
        requests: { small: 10, base: 2 },
        judgeCalls: 0,
        tokens: { small: 100, base: 40 },
        wastedTokens: 0,
        criticalPathMs: 800,
        lowerBoundMs: 400,
      },
    });
    assert.equal(first!.speedupVsBase, 2);
    assert.equal(base!.costs, null, 'a run without costs (older records) has none');
  });

  it('a comparison of several policies gives each its own speedup against base only', () => {
    const summary = (mode: RunSummary['mode'], wallMs: number, policy?: RunSummary['policy']): RunSummary => ({
      ...emptySummary(mode),
      wallMs,
      ...(policy ? { policy } : {}),
    });
    const c = compare([summary('specreason', 500), summary('specreason', 250, 'first-token'), summary('base', 1000)]);
    assert.equal(c.speedup, 2, 'the headline stays SpecReason against base');
    assert.deepEqual(c.speedups, { specreason: 2, 'first-token': 4 });
    assert.deepEqual(
      c.rows.map((r) => r.key ?? r.mode),
      ['specreason', 'first-token', 'base'],
    );
    // Two runs only (SpecReason against base): no per-policy speedups, the rows as before.
    const two = compare([summary('specreason', 500), summary('base', 1000)]);
    assert.equal(two.speedups, undefined);
    assert.equal(two.rows[0]!.key, undefined);
  });
});
