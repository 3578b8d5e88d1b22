// Tiny data sets written for the Hub stand-in, laid out as the real repositories are (file names and columns as
// published: HuggingFaceH4/aime_2024 Parquet, HuggingFaceH4/MATH-500 test.jsonl, Idavidrein/gpqa CSV per config
// (gated), math-ai/aime25 test.jsonl, openai/gsm8k Parquet per config and split) plus a sharded one with a tag.
// The contents are our own toy problems, not the sets'.

import { fakeCommit, type StandInRepo } from './hubStandIn';

async function parquet(columns: Array<{ name: string; data: unknown[]; type: string }>): Promise<Buffer> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  return Buffer.from(parquetWriteBuffer({ columnData: columns as never }));
}

const jsonl = (rows: object[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

function csv(rows: Array<Record<string, string>>): string {
  const columns = Object.keys(rows[0]!);
  const cell = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => cell(r[c] ?? '')).join(','))].join('\n') + '\n';
}

/** MATH-500's test.jsonl with `count` toy problems (the reference takes rows 0–99). */
export function math500(count: number): string {
  const subjects = ['Algebra', 'Number Theory', 'Geometry', 'Prealgebra'];
  return jsonl(
    Array.from({ length: count }, (_, i) => ({
      problem: `What is ${i} + ${i + 1}?`,
      solution: `Adding gives $\\boxed{${2 * i + 1}}$.`,
      answer: String(2 * i + 1),
      subject: subjects[i % subjects.length],
      level: (i % 5) + 1,
      unique_id: `test/${subjects[i % subjects.length]!.toLowerCase().replace(' ', '_')}/${100 + i}.json`,
    })),
  );
}

function gpqaRows(prefix: string, count: number): Array<Record<string, string>> {
  return Array.from({ length: count }, (_, i) => ({
    'Pre-Revision Question': `${prefix} question ${i}`,
    Question: `${prefix}: which noble gas has atomic number ${[2, 10, 18, 36][i % 4]}?`,
    'Correct Answer': ['Helium', 'Neon', 'Argon', 'Krypton'][i % 4]!,
    'Incorrect Answer 1': ['Xenon', 'Radon', 'Xenon', 'Radon'][i % 4]!,
    'Incorrect Answer 2': ['Hydrogen', 'Nitrogen', 'Oxygen', 'Fluorine'][i % 4]!,
    'Incorrect Answer 3': ['Lithium', 'Sodium', 'Potassium', 'Rubidium'][i % 4]!,
    'Record ID': `rec${prefix}${i}`,
    Subdomain: 'Chemistry (general)',
    'High-level domain': 'Chemistry',
  }));
}

export const COMMITS = {
  aime: fakeCommit('aime_2024'),
  math: fakeCommit('MATH-500'),
  mathOld: fakeCommit('MATH-500 v0'),
  gpqa: fakeCommit('gpqa'),
  aime25: fakeCommit('aime25'),
  gsm8k: fakeCommit('gsm8k'),
  shards: fakeCommit('shards'),
  shardsV1: fakeCommit('shards v1'),
};

export const GPQA_TOKEN = 'hf_standin_granted';

/** The stand-in's repositories. */
export async function standInRepos(): Promise<Record<string, StandInRepo>> {
  const gsm8k = async (split: string, n: number, socratic = false) =>
    parquet([
      {
        name: 'question',
        data: Array.from({ length: n }, (_, i) => `${split} ${socratic ? 'socratic ' : ''}question ${i}: 5 + ${i}?`),
        type: 'STRING',
      },
      {
        name: 'answer',
        data: Array.from({ length: n }, (_, i) => `Five plus ${i} is ${5 + i}.\n#### ${5 + i}`),
        type: 'STRING',
      },
    ]);
  return {
    'HuggingFaceH4/aime_2024': {
      commit: COMMITS.aime,
      files: {
        'data/train-00000-of-00001.parquet': await parquet([
          { name: 'id', data: [60, 61, 62].map(BigInt), type: 'INT64' },
          {
            name: 'problem',
            data: ['Find 6 times 7.', 'Find 2 to the 10th power.', 'Find 100 minus 1.'],
            type: 'STRING',
          },
          { name: 'solution', data: ['It is 42.', 'It is 1024.', 'It is 99.'], type: 'STRING' },
          { name: 'answer', data: ['42', '1024', '99'], type: 'STRING' },
          {
            name: 'url',
            data: ['https://example.org/60', 'https://example.org/61', 'https://example.org/62'],
            type: 'STRING',
          },
          { name: 'year', data: ['2024', '2024', '2024'], type: 'STRING' },
        ]),
      },
    },
    'HuggingFaceH4/MATH-500': {
      commit: COMMITS.math,
      refs: { v0: COMMITS.mathOld },
      files: { 'test.jsonl': math500(105) },
    },
    'Idavidrein/gpqa': {
      commit: COMMITS.gpqa,
      gated: true,
      granted: [GPQA_TOKEN],
      files: {
        'gpqa_diamond.csv': csv(gpqaRows('diamond', 4)),
        'gpqa_main.csv': csv(gpqaRows('main', 6)),
        'gpqa_extended.csv': csv(gpqaRows('extended', 8)),
      },
    },
    'math-ai/aime25': {
      commit: COMMITS.aime25,
      files: {
        'test.jsonl': jsonl([
          { problem: 'Find the sum of 14 and 28.', answer: '42', id: '0' },
          { problem: 'Find 3 cubed.', answer: '27', id: '1' },
        ]),
      },
    },
    'openai/gsm8k': {
      commit: COMMITS.gsm8k,
      files: {
        'main/train-00000-of-00001.parquet': await gsm8k('train', 5),
        'main/test-00000-of-00001.parquet': await gsm8k('test', 3),
        'socratic/test-00000-of-00001.parquet': await gsm8k('test', 2, true),
      },
    },
    'someone/sharded': {
      commit: COMMITS.shards,
      refs: { v1: COMMITS.shardsV1 },
      files: {
        'data/test-00000-of-00002.jsonl': jsonl([{ id: 's1', problem: 'One plus one?', answer: '2' }]),
        'data/test-00001-of-00002.jsonl': jsonl([{ id: 's2', problem: 'Two plus two?', answer: '4' }]),
        'data/train-00000-of-00001.jsonl': jsonl([{ id: 't1', problem: 'Three plus three?', answer: '6' }]),
      },
    },
  };
}
