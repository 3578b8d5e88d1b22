// What Solve sends with no selection (src/core/problem/documentProblem.ts), and where "Go to source" finds it again.

import assert from 'node:assert/strict';
import { documentProblem, relocateProblem, WHOLE_DOCUMENT_NOTE } from '../../src/core/problem/documentProblem';
import { parseFromWebview, parseProblemSource } from '../../src/shared/protocol';

const TWO_PROBLEMS = [
  '---', // 0
  'title: Homework', // 1
  '---', // 2
  '# Homework 3', // 3
  'Select a problem below and press Ctrl+Alt+R.', // 4
  '', // 5
  '## Problem 1', // 6
  'What is 17 * 23?', // 7
  '', // 8
  '## Problem 2', // 9
  'What is $2^{10}$?', // 10
].join('\n');

describe('the problem of a document with no selection', () => {
  it('a single problem block is sent alone (front matter, headings and instructions left out), with a note', () => {
    const md = ['# A problem for SpecReason', 'Select it and solve.', '', '## Problem', '', 'Compute 6 * 7.'].join(
      '\n',
    );
    const found = documentProblem(md, 'markdown', 0);
    assert.equal(found.kind, 'block');
    assert.ok(found.kind === 'block');
    assert.equal(found.text, 'Compute 6 * 7.');
    assert.deepEqual(found.span, { line: 5, endLine: 5 });
    assert.match(found.note, /^Solving the problem found in the document \(no selection; the rest/);
  });

  it('the cursor in a block, or on its heading, picks that block among several', () => {
    for (const [cursor, text] of [
      [7, 'What is 17 * 23?'],
      [6, 'What is 17 * 23?'],
      [9, 'What is $2^{10}$?'],
      [10, 'What is $2^{10}$?'],
    ] as const) {
      const found = documentProblem(TWO_PROBLEMS, 'markdown', cursor);
      assert.ok(found.kind === 'block', `cursor on line ${cursor}`);
      assert.equal(found.text, text);
      assert.match(found.note, /^Solving problem [12] found in the document/);
    }
  });

  it('several blocks and the cursor in none: the user chooses', () => {
    const found = documentProblem(TWO_PROBLEMS, 'markdown', 4);
    assert.ok(found.kind === 'choose');
    assert.deepEqual(
      found.blocks.map((b) => b.label),
      ['1', '2'],
    );
  });

  it('no problem block: the whole document, said so; Markdown front matter is left out', () => {
    const plain = 'Compute 6 * 7.\nShow the steps.';
    assert.deepEqual(documentProblem(plain, 'plaintext', 0), {
      kind: 'whole',
      text: plain,
      span: { line: 0, endLine: 1 },
      note: WHOLE_DOCUMENT_NOTE,
    });
    assert.equal(WHOLE_DOCUMENT_NOTE, 'Solving the whole document (no selection)');
    const md = ['---', 'tags: [algebra]', '---', '', 'Compute 6 * 7.'].join('\n');
    const found = documentProblem(md, 'markdown', 0);
    assert.ok(found.kind === 'whole');
    assert.equal(found.text, 'Compute 6 * 7.');
    assert.deepEqual(found.span, { line: 3, endLine: 4 });
    assert.equal(found.note, 'Solving the whole document (no selection; its front matter left out)');
    // An unknown language: no blocks are looked for, front matter stays (it may be the problem's own text).
    assert.equal(documentProblem(md, undefined, 0).kind, 'whole');
    assert.equal((documentProblem(md, undefined, 0) as { text: string }).text, md);
  });

  it('a JSONL line under the cursor is that problem', () => {
    const jsonl = ['{"id": "a", "problem": "1+1?"}', '{"id": "b", "problem": "2+2?"}'].join('\n');
    const found = documentProblem(jsonl, 'jsonl', 1);
    assert.ok(found.kind === 'block');
    assert.equal(found.text, '2+2?');
    assert.match(found.note, /problem b/);
  });
});

describe('Go to source: where the problem is now', () => {
  const doc = ['# Title', '', '## Problem', 'What is 17 * 23?', 'Give the number.'].join('\n');

  it('keeps the recorded lines while they hold the problem', () => {
    assert.deepEqual(relocateProblem(doc, { line: 3, endLine: 4 }, 'What is 17 * 23?\nGive the number.'), {
      line: 3,
      endLine: 4,
    });
  });

  it('follows the text when lines were inserted above it, and says undefined when it is gone', () => {
    const edited = ['Inserted', 'lines', doc].join('\n');
    assert.deepEqual(relocateProblem(edited, { line: 3, endLine: 4 }, 'What is 17 * 23?\nGive the number.'), {
      line: 5,
      endLine: 6,
    });
    assert.equal(relocateProblem('# Title\n\nsomething else', { line: 3, endLine: 4 }, 'What is 17 * 23?'), undefined);
    assert.equal(relocateProblem(doc, { line: 0, endLine: 0 }, '  \n'), undefined);
  });

  it('a source location from a command argument or a restored state is checked', () => {
    assert.deepEqual(parseProblemSource({ uri: 'file:///w/p.md', line: 3, endLine: 1 }), {
      uri: 'file:///w/p.md',
      line: 3,
      endLine: 3,
    });
    for (const bad of [
      undefined,
      null,
      'file:///w',
      { uri: 1, line: 0, endLine: 0 },
      { uri: 'x', line: -1, endLine: 0 },
    ]) {
      assert.equal(parseProblemSource(bad), undefined);
    }
    assert.equal(parseProblemSource({ uri: 'x', line: 0.5, endLine: 1 }), undefined);
  });

  it('the panel messages for Go to source and Copy step are validated', () => {
    assert.deepEqual(parseFromWebview({ type: 'problem/goToSource', extra: 1 }), { type: 'problem/goToSource' });
    assert.deepEqual(parseFromWebview({ type: 'step/copy', runId: 'r', stepId: 2 }), {
      type: 'step/copy',
      runId: 'r',
      stepId: 2,
    });
    for (const bad of [
      { type: 'step/copy', runId: 'r' },
      { type: 'step/copy', runId: 'r', stepId: -1 },
      { type: 'step/copy', runId: 'r', stepId: 1.5 },
      { type: 'step/copy', runId: 7, stepId: 1 },
    ]) {
      assert.equal(parseFromWebview(bad), undefined);
    }
  });
});
