// The Evaluate panel's shared logic: form validation (as the settings validate), run estimates,
// the Pareto front, and the check of messages the panel posts (untrusted input).

import assert from 'node:assert/strict';
import {
  configurationKey,
  DEFAULT_EVAL_FORM,
  estimatedRuns,
  evalFormProblems,
  formConfigurations,
  paretoFront,
  parseIdList,
  parseNumberList,
  PROBLEM_PREVIEW_CHARS,
  problemPreviews,
} from '../../src/shared/evalForm';
import { parseFromEvalWebview, type EvalFormValues } from '../../src/shared/protocol';

const form = (overrides: Partial<EvalFormValues> = {}): EvalFormValues => ({ ...DEFAULT_EVAL_FORM, ...overrides });

describe('Evaluate panel form', () => {
  it('accepts the default form and counts problems × repeats × configurations', () => {
    assert.deepEqual(evalFormProblems(form()), []);
    assert.equal(estimatedRuns(form(), 12), 24);
    const sweep = form({ modes: ['specreason', 'base', 'small'], thresholds: [9, 3, 7, 5], repeats: 2 });
    assert.equal(estimatedRuns(sweep, 12), 12 * 2 * 6);
    assert.deepEqual(formConfigurations(sweep).map(configurationKey), [
      'specreason-t3-greedy',
      'specreason-t5-greedy',
      'specreason-t7-greedy',
      'specreason-t9-greedy',
      'base',
      'small',
    ]);
    // Selection: ids cap at the set's size, then sample, then limit.
    assert.equal(estimatedRuns(form({ ids: ['a', 'b', 'c'] }), 12), 6);
    assert.equal(estimatedRuns(form({ sample: 5, seed: 1, limit: 3 }), 12), 6);
    assert.equal(estimatedRuns(form({ limit: 50 }), 12), 24);
    // Thresholds do not count without the SpecReason mode.
    assert.equal(estimatedRuns(form({ modes: ['base'], thresholds: [1, 2, 3] }), 10), 10);
  });

  it('checks thresholds and score methods with the settings validation, and names each field', () => {
    const problems = evalFormProblems(
      form({ thresholds: [3, 9.5, -1], scoreMethods: ['greedy', 'best' as never], repeats: 0, concurrency: 1.5 }),
    );
    assert.deepEqual(
      problems.map((p) => [p.field, p.message]),
      [
        ['thresholds', 'Threshold must be between 0 and 9 (got 9.5)'],
        ['thresholds', 'Threshold must be between 0 and 9 (got -1)'],
        ['scoreMethods', 'scoreMethod must be "greedy" or "average" (got "best")'],
        ['repeats', 'Repeats must be between 1 and 1000'],
        ['concurrency', 'Concurrency must be a whole number (got 1.5)'],
      ],
    );
    assert.deepEqual(
      evalFormProblems(form({ modes: [] })).map((p) => p.field),
      ['modes'],
    );
    assert.deepEqual(
      evalFormProblems(form({ thresholds: [], scoreMethods: [] })).map((p) => p.field),
      ['thresholds', 'scoreMethods'],
    );
    assert.deepEqual(evalFormProblems(form({ sample: 3 })), []);
    assert.deepEqual(
      evalFormProblems(form({ limit: 0, seed: -2 })).map((p) => p.field),
      ['limit', 'seed'],
    );
    // A base-only form ignores invalid thresholds it will not use.
    assert.deepEqual(evalFormProblems(form({ modes: ['base'], thresholds: [42] })), []);
  });

  it('parses threshold and id lists', () => {
    assert.deepEqual(parseNumberList('3, 5 7,,9, 5'), { values: [3, 5, 7, 9] });
    assert.deepEqual(parseNumberList('3, seven').error, '"seven" is not a number');
    assert.deepEqual(parseIdList(' a, b  c,a '), ['a', 'b', 'c']);
  });
});

describe('Pareto front', () => {
  const p = (key: string, latencyMs: number, accuracy: number) => ({ key, latencyMs, accuracy });

  it('keeps the points no other beats on both latency and accuracy, by latency', () => {
    const points = [
      p('t9', 7000, 0.88),
      p('t7', 6000, 0.92),
      p('t3', 4000, 0.46),
      p('small', 2500, 0.46),
      p('base', 9000, 0.75),
      p('t5', 5000, 0.79),
    ];
    assert.deepEqual(
      paretoFront(points).map((x) => x.key),
      ['small', 't5', 't7'],
    );
  });

  it('handles ties and trivial inputs', () => {
    assert.deepEqual(paretoFront([]), []);
    assert.deepEqual(
      paretoFront([p('a', 1, 0.5)]).map((x) => x.key),
      ['a'],
    );
    // Same latency: only the more accurate; same accuracy: only the faster.
    assert.deepEqual(
      paretoFront([p('a', 1, 0.5), p('b', 1, 0.7), p('c', 2, 0.7)]).map((x) => x.key),
      ['b'],
    );
  });
});

describe('parseFromEvalWebview', () => {
  it('accepts each well-formed message', () => {
    const start = { type: 'eval/start', form: form({ ids: ['x'], sample: 2, seed: 1 }) };
    assert.deepEqual(parseFromEvalWebview(start), start);
    assert.deepEqual(parseFromEvalWebview({ type: 'eval/ready', protocolVersion: 1 }), {
      type: 'eval/ready',
      protocolVersion: 1,
    });
    const open = { mode: 'specreason', threshold: 7, scoreMethod: 'greedy', problemId: '<b>x</b>', repeat: 0 };
    assert.deepEqual(parseFromEvalWebview({ type: 'eval/openRun', run: open }), { type: 'eval/openRun', run: open });
    assert.deepEqual(parseFromEvalWebview({ type: 'eval/useThreshold', threshold: 5, target: 'workspace' }), {
      type: 'eval/useThreshold',
      threshold: 5,
      target: 'workspace',
    });
    assert.deepEqual(parseFromEvalWebview({ type: 'eval/export', format: 'svg', svg: '<svg/>' }), {
      type: 'eval/export',
      format: 'svg',
      svg: '<svg/>',
    });
    assert.deepEqual(parseFromEvalWebview({ type: 'eval/cancel', extra: 1 }), { type: 'eval/cancel' });
  });

  it('drops malformed or unknown messages', () => {
    for (const bad of [
      null,
      'eval/cancel',
      { type: 'eval/start', form: { ...form(), modes: ['turbo'] } },
      { type: 'eval/start', form: { ...form(), repeats: '2' } },
      { type: 'eval/start', form: { ...form(), ids: [1] } },
      { type: 'eval/openRun', run: { mode: 'base', problemId: 3, repeat: 0 } },
      { type: 'eval/useThreshold', threshold: '9', target: 'user' },
      { type: 'eval/useThreshold', threshold: 9, target: 'folder' },
      { type: 'eval/export', format: 'svg' },
      { type: 'eval/export', format: 'pdf' },
      { type: 'eval/command', command: 'rm -rf' },
      { type: 'run/cancel' },
    ]) {
      assert.equal(parseFromEvalWebview(bad), undefined, JSON.stringify(bad));
    }
  });

  it("keeps each problem's text by id for the grid's hover text, long ones cut with an ellipsis", () => {
    const long = `Let x be ${'very '.repeat(200)}large.`;
    const previews = problemPreviews([
      { id: 'a', text: '  What is 6 × 7?\n' },
      { id: 'b', text: long },
    ]);
    assert.equal(previews.a, 'What is 6 × 7?');
    assert.ok(previews.b!.endsWith('…'));
    assert.ok(previews.b!.length <= PROBLEM_PREVIEW_CHARS + 1);
    assert.ok(long.startsWith(previews.b!.slice(0, -1)));
  });
});
