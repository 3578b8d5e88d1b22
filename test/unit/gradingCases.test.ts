// The grader on answer pairs kept as data: test/fixtures/grading/*.jsonl, our own hand-labelled cases, one
// file per class of answers (issue 18), and test/fixtures/grading/peers/*.jsonl, the peer graders' public
// cases run as data with their source named (Math-Verify's tests, Qwen2.5-Math's evaluation). Each line:
//   {"class", "gold", "response", "correct", "rule"?, "extracted"?, "extraction"?, "problem"?, "note"?}
// (peer lines also carry "source" and, where we disagree with the peer, "peer" (its verdict) and "why").
// The first line of a file is {"about": …}. The agreement per file is printed (npm run test:unit shows it).

import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { extractAnswer } from '../../src/core/eval/answerNormalize';
import { grade } from '../../src/core/eval/grader';

const DIR = path.resolve(__dirname, '../../../test/fixtures/grading');

export interface GradingCase {
  class: string;
  gold: string;
  response: string;
  correct?: boolean;
  rule?: string;
  extracted?: string | null;
  extraction?: string;
  problem?: string;
  note?: string;
  choices?: Record<string, string>;
  /** Peer suites: where the case comes from, the peer's own verdict where it differs from ours, and why. */
  source?: string;
  peer?: boolean;
  why?: string;
  /** Peer cases out of our scope (why), kept for the record and not run. */
  outOfScope?: string;
}

export function readCases(file: string): { about: string; cases: GradingCase[] } {
  const [head, ...lines] = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim());
  const about = (JSON.parse(head!) as { about: string }).about;
  return { about, cases: lines.map((l) => JSON.parse(l) as GradingCase) };
}

export function caseFiles(sub = ''): string[] {
  const dir = path.join(DIR, sub);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => path.join(dir, f));
}

function runCase(c: GradingCase) {
  return grade(c.gold, c.response, { problem: c.problem, choices: c.choices });
}

describe('grader on the hand-labelled classes (test/fixtures/grading)', function () {
  this.timeout(120000);
  const files = caseFiles();
  const total = files.reduce((n, f) => n + readCases(f).cases.length, 0);

  it('has at least 150 cases, each with its class', () => {
    assert.ok(total >= 150, `${total} cases`);
    for (const f of files) {
      for (const c of readCases(f).cases) {
        assert.ok(c.class && typeof c.correct === 'boolean', `${path.basename(f)}: ${JSON.stringify(c)}`);
      }
    }
  });

  for (const file of files) {
    const { cases } = readCases(file);
    describe(path.basename(file, '.jsonl'), () => {
      let agree = 0;
      after(() => console.log(`      agreement: ${agree}/${cases.length}`));
      for (const c of cases) {
        const title = `${JSON.stringify(c.response.length > 70 ? '…' + c.response.slice(-70) : c.response)} vs gold ${JSON.stringify(c.gold)}: ${c.correct ? 'correct' : 'wrong'}${c.rule ? ` (${c.rule})` : ''}`;
        it(title, () => {
          const v = runCase(c);
          agree += v.correct === c.correct ? 1 : 0;
          assert.equal(v.correct, c.correct, JSON.stringify(v));
          if (c.rule) {
            assert.equal(v.rule, c.rule, JSON.stringify(v));
          }
          if (c.extracted !== undefined) {
            assert.equal(v.extracted, c.extracted);
          }
          if (c.extraction) {
            assert.equal(v.extraction, c.extraction);
          }
        });
      }
    });
  }
});

describe('grader on the peer suites (test/fixtures/grading/peers)', function () {
  this.timeout(120000);
  for (const file of caseFiles('peers')) {
    const { cases } = readCases(file);
    const run = cases.filter((c) => !c.outOfScope);
    describe(path.basename(file, '.jsonl'), () => {
      let peer = 0;
      let labelled = 0;
      after(() =>
        console.log(
          `      ${run.length} of ${cases.length} cases in scope; agreement with the peer ${peer}/${run.length}, with our labels ${labelled}/${run.length}`,
        ),
      );
      it('names its source on every case, and says why wherever our verdict differs from the peer’s', () => {
        for (const c of cases) {
          assert.ok(c.source, JSON.stringify(c));
          assert.ok(
            c.outOfScope !== undefined || (c as { ours?: boolean }).ours === c.peer || c.why,
            JSON.stringify(c),
          );
        }
      });
      for (const c of run) {
        const ours = (c as { ours?: boolean }).ours;
        it(`${c.source!.split(' ').pop()}: ${JSON.stringify(c.response.slice(-60))} vs ${JSON.stringify(c.gold.slice(0, 60))}: ${ours ? 'correct' : 'wrong'}${c.why ? ` (${c.why.slice(0, 60)}…)` : ''}`, () => {
          // A gold holding \boxed is read through the same extraction as a response.
          const gold = /\\(?:boxed|fbox)/.test(c.gold) ? (extractAnswer(c.gold).text ?? c.gold) : c.gold;
          const v = grade(gold, c.response);
          peer += v.correct === c.peer ? 1 : 0;
          labelled += v.correct === (c.correct ?? c.peer) ? 1 : 0;
          assert.equal(v.correct, ours, JSON.stringify(v));
        });
      }
    });
  }
});
