import assert from 'node:assert/strict';
import { detectChoices, fillTemplate, MATH_TEMPLATE, parseProblem, userMessage } from '../../src/core/engine/prompts';

describe('prompts', () => {
  it('builds the reference math prompt byte for byte', () => {
    // What Python's get_first_user_msg returns for problem "1+1?" (indented triple-quoted string, \n escapes).
    const expected =
      '\n        Solve the following math problem efficiently and clearly. Please reason step by step, \n' +
      '        separate logical reasoning steps with two newline characters (\n\n), and put your final answer within \\boxed{}.\n' +
      '        Problem: 1+1?\n        ';
    assert.equal(userMessage({ text: '1+1?' }), expected);
  });

  it('builds the reference multiple-choice prompt byte for byte', () => {
    const expected =
      '\n        What is the correct answer to the following problem? Please reason step by step. \n' +
      '        Separate logical reasoning steps with two newline characters (\n\n).\n' +
      '        Put the final answer **strictly** in the format \\boxed{X}, where X is a single letter (A, B, C, or D).\n\n' +
      '        **Example output:** \\boxed{A}\n\n' +
      '        Problem: Which is even?.\n' +
      '        Choices: \n' +
      '        (A) 1\n        (B) 2\n        (C) 3\n        (D) 5\n        ';
    assert.equal(userMessage({ text: 'Which is even?', choices: { A: '1', B: '2', C: '3', D: '5' } }), expected);
  });

  it('detects choices (A)–(D) in a selection and leaves other text alone', () => {
    const p = detectChoices('Which is even?\nChoices:\n(A) 1\n(B) 2\nC) 3\n(D) 5\n');
    assert.deepEqual(p, { text: 'Which is even?', choices: { A: '1', B: '2', C: '3', D: '5' } });
    assert.deepEqual(detectChoices('Compute (A) times (B).'), { text: 'Compute (A) times (B).' });
    assert.deepEqual(detectChoices('x\n(A) 1\n(B) 2\n(C) 3'), { text: 'x\n(A) 1\n(B) 2\n(C) 3' });
  });

  it('applies the prompt style setting', () => {
    const text = 'Q?\n(A) a\n(B) b\n(C) c\n(D) d';
    assert.equal(parseProblem(text, 'math').choices, undefined);
    assert.ok(parseProblem(text, 'auto').choices);
    assert.throws(() => parseProblem('no choices', 'multiple-choice'), /no choices/);
  });

  it('fills a template once, never substituting inside values', () => {
    assert.equal(
      fillTemplate('P: {problem} {A} \\boxed{{}}', { problem: 'has {A} inside', A: 'x' }),
      'P: has {A} inside x \\boxed{}',
    );
    assert.ok(MATH_TEMPLATE.includes('{problem}'));
  });
});
