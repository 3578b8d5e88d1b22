// The evaluation commands end to end, as subprocesses of the bundled dist/cli.js.

import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

export function runCli(
  args: string[],
  options: { onStderr?: (text: string, kill: (signal: NodeJS.Signals) => void) => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      options.onStderr?.(stderr, (signal) => child.kill(signal));
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('specreason grade (subprocess)', function () {
  this.timeout(30000);
  before(function () {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first`);
    }
  });
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-grade-'));

  it('--pairs --json: one verdict line per input line, with extracted answer and rule', async () => {
    const file = path.join(dir, 'pairs.jsonl');
    writeFileSync(
      file,
      [
        { gold: '\\frac{\\sqrt3}{3}', response: 'thus \\boxed{\\frac{1}{\\sqrt{3}}}' },
        { gold: 204, response: 'Answer: 204' },
        { gold: '(1,2]', response: '\\boxed{[1,2)}' },
        { gold: 'Argon', response: '\\boxed{C}', choices: ['Helium', 'Neon', 'Argon', 'Krypton'] },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n\n',
    );
    const r = await runCli(['grade', '--pairs', file, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { correct: boolean; extracted: string; rule: string });
    assert.deepEqual(
      lines.map((l) => [l.correct, l.extracted, l.rule]),
      [
        [true, '\\frac{1}{\\sqrt{3}}', 'symbolic'],
        [true, '204', 'exact'],
        [false, '[1,2)', 'interval'],
        [true, 'C', 'choice'],
      ],
    );
  });

  it('--pairs without --json: a table and the total', async () => {
    const file = path.join(dir, 'table.jsonl');
    writeFileSync(file, '{"gold":"5","response":"\\\\boxed{5}"}\n{"gold":"5","response":"\\\\boxed{6}"}\n');
    const r = await runCli(['grade', '--pairs', file]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /1\/2 correct \(50\.0%\)/);
  });

  it('a bad line: exit 2 naming the file, the line and the field', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"gold":"5","response":"\\\\boxed{5}"}\n{"gold":"5","answer":"6"}\n');
    const r = await runCli(['grade', '--pairs', file]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.jsonl:2: field "response" must be a string/);
    const missing = await runCli(['grade', '--pairs', path.join(dir, 'nope.jsonl')]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /cannot read --pairs .*nope\.jsonl/);
  });
});
