// results.json (from the evaluation core) as the Evaluate panel's rows: fields checked, variants of the
// interval and token fields read, malformed entries named by position.

import assert from 'node:assert/strict';
import { EvalResultsError, evalResultsRows } from '../../src/shared/evalResults';

describe('evalResultsRows', () => {
  it('maps configurations and runs, keeping SpecReason-only fields to SpecReason', () => {
    const rows = evalResultsRows({
      configurations: [
        {
          mode: 'specreason',
          threshold: 7,
          scoreMethod: 'average',
          runs: 24,
          correct: 20,
          accuracy: 20 / 24,
          accuracyCi95: [0.63, 0.95],
          meanWallMs: 6200,
          medianWallMs: 6000,
          p90WallMs: 8100,
          meanSmallTokens: 2000,
          meanBaseTokens: 900,
          acceptanceRate: 0.6,
          speedupVsBase: 1.4,
          accuracyDiffVsBase: 0.04,
        },
        {
          mode: 'base',
          threshold: null,
          scoreMethod: null,
          runs: 24,
          correct: 19,
          failed: 1,
          accuracy: 0.79,
          accuracyCi95: [0.6, 0.9],
          speedupVsBase: null,
        },
      ],
      runs: [
        {
          problemId: 'aime-60',
          repeat: 1,
          mode: 'specreason',
          threshold: 7,
          scoreMethod: 'average',
          answer: '204',
          gold: '204',
          correct: true,
          wallMs: 5120,
          stopReason: 'finished',
        },
        {
          problemId: 61,
          repeat: 0,
          mode: 'base',
          answer: null,
          gold: 3,
          correct: false,
          wallMs: 10,
          error: 'refused',
          file: 'base/61/0.json',
        },
      ],
    });
    assert.deepEqual(rows.configurations[0], {
      mode: 'specreason',
      threshold: 7,
      scoreMethod: 'average',
      runs: 24,
      correct: 20,
      failed: 0,
      accuracy: 20 / 24,
      accuracyLow: 0.63,
      accuracyHigh: 0.95,
      meanWallMs: 6200,
      medianWallMs: 6000,
      p90WallMs: 8100,
      meanSmallTokens: 2000,
      meanBaseTokens: 900,
      acceptanceRate: 0.6,
      speedupVsBase: 1.4,
      accuracyDiffVsBase: 0.04,
    });
    assert.deepEqual(rows.configurations[1], {
      mode: 'base',
      runs: 24,
      correct: 19,
      failed: 1,
      accuracy: 0.79,
      accuracyLow: 0.6,
      accuracyHigh: 0.9,
    });
    assert.deepEqual(rows.runs[1], {
      problemId: '61',
      repeat: 0,
      mode: 'base',
      gold: '3',
      correct: false,
      wallMs: 10,
      stopReason: 'error',
      error: 'refused',
      file: 'base/61/0.json',
    });
    assert.equal(rows.runs[0]!.answer, '204');
  });

  it('refuses what is not an evaluation, naming the file and the entry', () => {
    assert.throws(() => evalResultsRows({ runs: [] }, 'x/results.json'), {
      name: 'Error',
      message: 'x/results.json is not an evaluation\'s results: it needs "configurations" and "runs" lists',
    });
    assert.throws(
      () => evalResultsRows({ configurations: [], runs: [{ problemId: 'a', mode: 'turbo' }] }),
      (e: unknown) => e instanceof EvalResultsError && /runs\[0\]: mode "turbo"/.test(e.message),
    );
    assert.throws(() => evalResultsRows({ configurations: [3], runs: [] }), /configurations\[0\] is not an object/);
    assert.throws(
      () => evalResultsRows({ configurations: [], runs: [{ mode: 'base' }] }),
      /runs\[0\]: problemId is missing/,
    );
  });
});
