// Where CodeLens puts "Solve | Compare" (src/core/problemBlocks.ts).

import assert from 'node:assert/strict';
import { findProblemBlocks, problemFileKind } from '../../src/core/problem/problemBlocks';

describe('problem blocks for CodeLens', () => {
  it('Markdown: the text under a Problem heading, up to the next heading', () => {
    const md = [
      '# Notes', // 0
      'Select a problem below.', // 1
      '', // 2
      '## Problem 1', // 3
      '', // 4
      'What is 17 * 23?', // 5
      'Give the number.', // 6
      '', // 7
      '## Solution', // 8
      'Not a problem.', // 9
      '### Problem: triangles', // 10
      'A triangle has sides 3, 4 and 5. What is its area?', // 11
    ].join('\n');
    assert.deepEqual(findProblemBlocks(md, 'markdown'), [
      { line: 5, endLine: 6, text: 'What is 17 * 23?\nGive the number.', label: '1' },
      { line: 11, endLine: 11, text: 'A triangle has sides 3, 4 and 5. What is its area?', label: 'triangles' },
    ]);
  });

  it('Markdown: a fenced block marked problem, and no heading inside code counts', () => {
    const md = [
      'Intro',
      '```problem',
      'Compute $2^{10}$.',
      '```',
      '',
      '```md',
      '# Problem',
      'code, not a problem',
      '```',
    ].join('\n');
    assert.deepEqual(findProblemBlocks(md, 'markdown'), [{ line: 1, endLine: 3, text: 'Compute $2^{10}$.' }]);
  });

  it('Markdown: a heading named Problems or Problem-solving tips is not a problem', () => {
    assert.deepEqual(findProblemBlocks('# Problems\n\ntext\n\n# Problemsolving\n\nmore', 'markdown'), []);
    assert.deepEqual(findProblemBlocks('# Problem\n\n', 'markdown'), []);
  });

  it('plain text: a paragraph that starts with "Problem:" or "Problem 3.", or follows a bare label', () => {
    const txt = [
      'Problem: What is 2 + 2?',
      'Answer with a number.',
      '',
      'noise',
      'Problem 3.',
      '',
      'What is 3 + 3?',
    ].join('\n');
    assert.deepEqual(findProblemBlocks(txt, 'plaintext'), [
      { line: 0, endLine: 1, text: 'What is 2 + 2?\nAnswer with a number.', label: undefined },
      { line: 4, endLine: 6, text: 'What is 3 + 3?', label: '3' },
    ]);
  });

  it('JSONL: each line with a problem field as the evaluation maps it; choices appended; broken lines skipped', () => {
    const jsonl = [
      '{"id": 60, "problem": "Find x.", "answer": "3"}',
      '{"Question": "Which?", "ID": "q2", "options": ["1", "2", "3", "4"], "answer": "B"}',
      '{broken',
      '{"answer": "no problem field"}',
      '',
      '{"prompt": "  A prompt  "}',
    ].join('\n');
    assert.deepEqual(findProblemBlocks(jsonl, 'jsonl'), [
      { line: 0, endLine: 0, text: 'Find x.', label: '60' },
      { line: 1, endLine: 1, text: 'Which?\n(A) 1\n(B) 2\n(C) 3\n(D) 4', label: 'q2' },
      { line: 5, endLine: 5, text: 'A prompt', label: undefined },
    ]);
  });

  it('knows which documents get lenses', () => {
    assert.equal(problemFileKind('markdown', '/a/b.md'), 'markdown');
    assert.equal(problemFileKind('plaintext', '/a/b.txt'), 'plaintext');
    assert.equal(problemFileKind('jsonl', '/a/set.jsonl'), 'jsonl');
    assert.equal(problemFileKind('json', '/a/set.JSONL'), 'jsonl');
    assert.equal(problemFileKind('typescript', '/a/b.ts'), undefined);
  });
});
