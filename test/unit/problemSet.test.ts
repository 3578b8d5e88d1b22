// Problem-set loaders: each file type and field mapping, bad rows, selection, the option shuffle.

import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadProblemSet, parseFieldOverrides, safeId } from '../../src/core/eval/problemSet';
import { choicePermutation } from '../../src/core/eval/random';

const FIXTURES = path.resolve(__dirname, '../../../test/fixtures/eval');
const fixture = (name: string) => path.join(FIXTURES, name);

async function writeParquet(file: string): Promise<void> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: [60, 61], type: 'INT32' },
      { name: 'problem', data: ['What is 6 x 7?', 'What is 2 + 2?'], type: 'STRING' },
      { name: 'answer', data: ['42', '4'], type: 'STRING' },
      { name: 'year', data: ['2024', '2024'], type: 'STRING' },
    ],
  });
  writeFileSync(file, Buffer.from(buffer));
}

describe('problem sets', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-sets-'));
  const write = (name: string, text: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('AIME JSONL: id, problem, answer; blank lines skipped; row = line number', async () => {
    const set = await loadProblemSet(fixture('aime.jsonl'));
    assert.equal(set.fields.format, 'aime');
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.gold, p.row]),
      [
        ['60', '14', 1],
        ['61', '24', 2],
        ['62', '9', 4],
      ],
    );
    assert.deepEqual(set.problems[0]!.meta, { year: '2024' });
  });

  it('MATH-500 JSONL: unique_id, subject and level', async () => {
    const set = await loadProblemSet(fixture('math500.jsonl'));
    assert.equal(set.fields.format, 'math500');
    assert.equal(set.problems[0]!.id, 'test/algebra/101.json');
    assert.equal(set.problems[0]!.gold, '\\frac{\\sqrt{3}}{3}');
    assert.deepEqual(set.problems[0]!.meta, { subject: 'Algebra', level: '2' });
    assert.equal(safeId(set.problems[0]!.id), 'test_algebra_101.json');
  });

  it('GPQA CSV: the correct answer first in the file order, quoted fields with commas, quotes and newlines', async () => {
    const set = await loadProblemSet(fixture('gpqa.csv'));
    assert.equal(set.fields.format, 'gpqa');
    const [a, b, c] = set.problems;
    assert.deepEqual(
      [a!.id, a!.options, a!.correct, a!.gold],
      ['recA1', ['Argon', 'Neon', 'Krypton', 'Helium'], 0, 'Argon'],
    );
    assert.equal(b!.options![0], '20 m/s');
    assert.match(c!.text, /adenine in DNA\?\n\(one line break/);
    assert.deepEqual(a!.meta, { Subdomain: 'Chemistry (general)', 'High-level domain': 'Chemistry' });
  });

  it('GSM8K JSON array: the final "#### N" is the gold, thousands separators dropped', async () => {
    const set = await loadProblemSet(fixture('gsm8k.json'));
    assert.equal(set.fields.format, 'gsm8k');
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.gold]),
      [
        ['0', '31'],
        ['1', '12'],
        ['2', '1500'],
      ],
    );
  });

  it('Parquet (written with hyparquet-writer): AIME columns', async () => {
    const file = path.join(dir, 'aime.parquet');
    await writeParquet(file);
    const set = await loadProblemSet(file);
    assert.equal(set.fields.format, 'aime');
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.text, p.gold]),
      [
        ['60', 'What is 6 x 7?', '42'],
        ['61', 'What is 2 + 2?', '4'],
      ],
    );
  });

  it('generic multiple choice: options as an object or a list, answer as a letter or the option text', async () => {
    const set = await loadProblemSet(fixture('choices.jsonl'));
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.options, p.correct, p.gold]),
      [
        ['mc1', ['Mars', 'Jupiter', 'Venus', 'Mercury'], 1, 'Jupiter'],
        ['mc2', ['7', '12', '34', '1'], 1, '12'],
      ],
    );
  });

  it('--fields overrides the detected mapping', async () => {
    const file = write('custom.jsonl', '{"q": "What is 1+1?", "gold_answer": "2", "key": "k1"}\n');
    await assert.rejects(
      loadProblemSet(file),
      /custom\.jsonl:1: field "problem" is missing \(columns: q, gold_answer, key/,
    );
    const set = await loadProblemSet(file, { fields: parseFieldOverrides('problem=q,answer=gold_answer,id=key') });
    assert.deepEqual(
      set.problems.map((p) => [p.id, p.text, p.gold]),
      [['k1', 'What is 1+1?', '2']],
    );
    assert.throws(() => parseFieldOverrides('question=q'), /unknown key "question"/);
  });

  describe('bad input names the file, the line or row and the field', () => {
    it('JSONL: a line that is not JSON, and a line that is not an object', async () => {
      const f1 = write('bad1.jsonl', '{"problem": "a", "answer": "1"}\n{"problem": "b", "answer": \n');
      await assert.rejects(loadProblemSet(f1), /bad1\.jsonl:2: not JSON/);
      const f2 = write('bad2.jsonl', '{"problem": "a", "answer": "1"}\n[1, 2]\n');
      await assert.rejects(loadProblemSet(f2), /bad2\.jsonl:2: expected a JSON object, got an array/);
    });
    it('a missing or non-text answer', async () => {
      const f = write(
        'bad3.jsonl',
        '{"id": 1, "problem": "a", "answer": "1"}\n\n{"id": 2, "problem": "b", "answer": null}\n',
      );
      await assert.rejects(loadProblemSet(f), /bad3\.jsonl:3: field "answer" is not text \(null\)/);
    });
    it('JSON: not an array; an item that is not an object', async () => {
      await assert.rejects(
        loadProblemSet(write('o.json', '{"problem": "a"}')),
        /o\.json: expected a JSON array of objects, got object/,
      );
      await assert.rejects(
        loadProblemSet(write('i.json', '[{"problem":"a","answer":"1"}, 3]')),
        /i\.json: item 1: expected an object/,
      );
    });
    it('CSV: a row with a missing cell, and malformed quoting', async () => {
      const f = write(
        'g.csv',
        'Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3\nQ1,a,b,c,d\nQ2,a,b,c,\n',
      );
      await assert.rejects(
        loadProblemSet(f),
        /g\.csv:3: field "Incorrect Answer 3" is missing|g\.csv:3: field "Incorrect Answer 3" is not text/,
      );
      const q = write('q.csv', 'problem,answer\n"unclosed,1\n');
      await assert.rejects(loadProblemSet(q), /q\.csv: .*(Quote|quote)/);
    });
    it('GSM8K without "####"; duplicate ids; an unknown extension; a missing file; an empty set', async () => {
      await assert.rejects(
        loadProblemSet(write('gsm.jsonl', '{"question": "q", "answer": "no final line"}\n')),
        /gsm\.jsonl:1: field "answer" has no final "#### N" line/,
      );
      await assert.rejects(
        loadProblemSet(
          write('dup.jsonl', '{"id": 1, "problem": "a", "answer": "1"}\n{"id": 1, "problem": "b", "answer": "2"}\n'),
        ),
        /problem id "1" \(.*dup\.jsonl:2\) repeats an earlier id \(row 1\)/,
      );
      await assert.rejects(loadProblemSet(write('x.txt', 'hi')), /unknown file type "\.txt"/);
      await assert.rejects(
        loadProblemSet(path.join(dir, 'missing.jsonl')),
        /cannot read the problem set .*missing\.jsonl/,
      );
      await assert.rejects(loadProblemSet(write('empty.jsonl', '\n\n')), /empty\.jsonl: no problems/);
    });
    it('Parquet: a file that is not Parquet', async () => {
      await assert.rejects(loadProblemSet(write('not.parquet', 'hello')), /not\.parquet: cannot read as Parquet/);
    });
    it('multiple choice with other than four options', async () => {
      const f = write('three.jsonl', '{"id": "t", "question": "q", "options": ["a", "b", "c"], "answer": "A"}\n');
      await assert.rejects(
        loadProblemSet(f),
        /three\.jsonl:1: 3 options; the paper's multiple-choice prompt takes exactly four/,
      );
    });
  });

  describe('selection', () => {
    const many = () =>
      write(
        'many.jsonl',
        Array.from({ length: 20 }, (_, i) => JSON.stringify({ id: `p${i}`, problem: `q${i}`, answer: String(i) })).join(
          '\n',
        ),
      );
    it('--ids in the order given; unknown ids named', async () => {
      const set = await loadProblemSet(many(), { select: { ids: ['p3', 'p1'] } });
      assert.deepEqual(
        set.problems.map((p) => p.id),
        ['p3', 'p1'],
      );
      await assert.rejects(
        loadProblemSet(many(), { select: { ids: ['p1', 'nope'] } }),
        /--ids: nope not in .*many\.jsonl/,
      );
    });
    it('--limit takes the first N', async () => {
      const set = await loadProblemSet(many(), { select: { limit: 3 } });
      assert.deepEqual(
        set.problems.map((p) => p.id),
        ['p0', 'p1', 'p2'],
      );
    });
    it('--sample N --seed S: the same seed gives the same sample, in file order; another seed another sample', async () => {
      const a = (await loadProblemSet(many(), { select: { sample: 5, seed: 1 } })).problems.map((p) => p.id);
      const b = (await loadProblemSet(many(), { select: { sample: 5, seed: 1 } })).problems.map((p) => p.id);
      const c = (await loadProblemSet(many(), { select: { sample: 5, seed: 2 } })).problems.map((p) => p.id);
      assert.equal(a.length, 5);
      assert.deepEqual(a, b);
      assert.notDeepEqual(a, c);
      assert.deepEqual(
        [...a].sort((x, y) => Number(x.slice(1)) - Number(y.slice(1))),
        a,
      );
    });
  });

  describe('option shuffle', () => {
    it('is a permutation, the same for the same seed, problem and repeat', () => {
      const p = choicePermutation(4, 0, 'recA1', 0);
      assert.deepEqual([...p].sort(), [0, 1, 2, 3]);
      assert.deepEqual(choicePermutation(4, 0, 'recA1', 0), p);
    });
    it('differs across repeats, problems and seeds, and puts the correct option everywhere', () => {
      const firsts = new Set<number>();
      const perms = new Set<string>();
      for (let r = 0; r < 16; r++) {
        const p = choicePermutation(4, 0, 'recA1', r);
        perms.add(p.join(''));
        firsts.add(p.indexOf(0));
      }
      assert.ok(perms.size >= 6, `${perms.size} distinct permutations in 16 repeats`);
      assert.equal(firsts.size, 4, 'the correct option appears under every letter');
      assert.notDeepEqual(
        Array.from({ length: 8 }, (_, r) => choicePermutation(4, 0, 'a', r).join('')),
        Array.from({ length: 8 }, (_, r) => choicePermutation(4, 1, 'a', r).join('')),
      );
    });
  });
});
