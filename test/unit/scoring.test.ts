import assert from 'node:assert/strict';
import { answersAgree, extractBoxed } from '../../src/core/engine/answer';
import { digitDistribution, scoreFromLogprobs } from '../../src/core/engine/scoring';

describe('scoring', () => {
  const top = [
    { token: '7', logprob: Math.log(0.6) },
    { token: '3', logprob: Math.log(0.2) },
    { token: ' ', logprob: Math.log(0.1) },
    { token: '9', logprob: Math.log(0.1) },
  ];

  it('greedy takes the sampled token when it is a digit string, else 0', () => {
    assert.equal(scoreFromLogprobs('greedy', '7', top), 7);
    assert.equal(scoreFromLogprobs('greedy', '10', top), 10);
    assert.equal(scoreFromLogprobs('greedy', ' 7', top), 0);
    assert.equal(scoreFromLogprobs('greedy', 'Yes', top), 0);
    assert.equal(scoreFromLogprobs('greedy', '', top), 0);
  });

  it('average weights the digit tokens by normalised probability and ignores the rest', () => {
    // digits: 7 (0.6), 3 (0.2), 9 (0.1) → (4.2 + 0.6 + 0.9) / 0.9
    assert.ok(Math.abs(scoreFromLogprobs('average', '7', top) - 5.7 / 0.9) < 1e-12);
    assert.equal(scoreFromLogprobs('average', 'x', [{ token: 'x', logprob: 0 }]), 0);
  });

  it('average does not depend on the order of top_logprobs (sampled token first)', () => {
    assert.ok(
      Math.abs(scoreFromLogprobs('average', '3', [...top].reverse()) - scoreFromLogprobs('average', '7', top)) < 1e-12,
    );
  });

  it('gives the digit distribution for the panel', () => {
    const d = digitDistribution(top);
    assert.ok(Math.abs(d[7]! - 0.6 / 0.9) < 1e-12);
    assert.equal(d.length, 10);
    assert.ok(Math.abs(d.reduce((a, b) => a + b, 0) - 1) < 1e-12);
  });

  it('extracts the last \\boxed{} with nested braces', () => {
    assert.equal(extractBoxed('so \\boxed{1} then \\boxed{\\frac{1}{2}}.'), '\\frac{1}{2}');
    assert.equal(extractBoxed('no box'), undefined);
    assert.equal(extractBoxed('\\boxed{unclosed'), undefined);
    assert.equal(answersAgree('\\dfrac{1}{2}', '\\frac {1}{2}'), true);
    assert.equal(answersAgree('1', '2'), false);
    assert.equal(answersAgree(undefined, '2'), undefined);
  });
});
