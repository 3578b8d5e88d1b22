// The evaluation commands end to end, as subprocesses of the bundled dist/cli.js.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
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

  it('without compute-engine.js beside the bundle: a symbolic pair is cas-unavailable (not graded), never wrong', () => {
    // An installation that lost the lazily loaded file (as the .vsix did): the bundle alone in a folder
    // with no node_modules above it.
    const alone = mkdtempSync(path.join(tmpdir(), 'specreason-alone-'));
    copyFileSync(CLI, path.join(alone, 'cli.js'));
    const file = path.join(dir, 'symbolic.jsonl');
    writeFileSync(
      file,
      [
        { gold: '\\sqrt{8}', response: '\\boxed{2\\sqrt{2}}' },
        { gold: '5', response: '\\boxed{5}' },
        { gold: 'x^2+2x+1', response: '\\boxed{(x+1)^2}' },
      ]
        .map((x) => JSON.stringify(x))
        .join('\n') + '\n',
    );
    const run = (cli: string, json: boolean) =>
      spawnSync(process.execPath, [cli, 'grade', '--pairs', file, ...(json ? ['--json'] : [])], { encoding: 'utf8' });
    const rules = (stdout: string) =>
      stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { correct: boolean; rule: string })
        .map((v) => [v.correct, v.rule]);
    const broken = run(path.join(alone, 'cli.js'), true);
    assert.equal(broken.status, 0, broken.stderr);
    assert.deepEqual(rules(broken.stdout), [
      [false, 'cas-unavailable'],
      [true, 'exact'],
      [false, 'cas-unavailable'],
    ]);
    assert.match(broken.stderr, /2 answer\(s\) NOT GRADED \(rule cas-unavailable.*compute-engine\.js/);
    const table = run(path.join(alone, 'cli.js'), false);
    assert.match(table.stdout, /^ +1 +\? +cas-unavailable/m);
    // The same pairs with the file in place: graded by the symbolic rule.
    const whole = run(CLI, true);
    assert.deepEqual(rules(whole.stdout), [
      [true, 'symbolic'],
      [true, 'exact'],
      [true, 'symbolic'],
    ]);
    assert.doesNotMatch(whole.stderr, /NOT GRADED/);
  });
});

describe('specreason eval (subprocess)', function () {
  this.timeout(90000);
  const dir = mkdtempSync(path.join(tmpdir(), 'specreason-evalcli-'));

  it('eval-demo --json: results.json with the documented field names on stdout, progress on stderr', async () => {
    const out = path.join(dir, 'json');
    const r = await runCli([
      'eval-demo',
      '--latency',
      'zero',
      '--ids',
      'd01,d04,d11',
      '--thresholds',
      '3,9',
      '--repeats',
      '1',
      '--json',
      '--out',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /\[12\/12\] .* — accuracy so far [\d.]+% — ETA/);
    const results = JSON.parse(r.stdout) as {
      configurations: Array<Record<string, unknown>>;
      runs: Array<Record<string, unknown>>;
    };
    assert.deepEqual(
      results.configurations.map((c) => c.name),
      ['specreason-t3-greedy', 'specreason-t9-greedy', 'base', 'small'],
    );
    for (const key of [
      'mode',
      'threshold',
      'scoreMethod',
      'runs',
      'correct',
      'accuracy',
      'meanWallMs',
      'medianWallMs',
      'p90WallMs',
      'acceptanceRate',
      'speedupVsBase',
    ]) {
      assert.ok(key in results.configurations[0]!, key);
    }
    for (const key of [
      'problemId',
      'repeat',
      'mode',
      'threshold',
      'scoreMethod',
      'answer',
      'gold',
      'correct',
      'wallMs',
      'stopReason',
    ]) {
      assert.ok(key in results.runs[0]!, key);
    }
    assert.equal(results.runs.length, 12);
    assert.ok(existsSync(path.join(out, 'results.csv')) && existsSync(path.join(out, 'results.md')));
    assert.ok(existsSync(path.join(out, 'specreason-t9-greedy', 'd11', '0.json')));
    const regraded = await runCli(['grade', out, '--json']);
    assert.equal(regraded.code, 0, regraded.stderr);
    assert.match(regraded.stderr, /re-graded 12 run\(s\) .*: 0 verdict\(s\) changed/);
    const again = JSON.parse(regraded.stdout) as typeof results;
    assert.deepEqual(
      again.configurations.map((c) => [c.name, c.correct, c.meanWallMs]),
      results.configurations.map((c) => [c.name, c.correct, c.meanWallMs]),
    );
  });

  it('Ctrl+C keeps the finished runs (exit 130); the same command again runs only the missing ones', async () => {
    const out = path.join(dir, 'cancel');
    const args = ['eval-demo', '--ids', 'd01,d02,d03', '--thresholds', '5,9', '--repeats', '1', '--out', out];
    let sent = false;
    const first = await runCli(args, {
      onStderr: (text, kill) => {
        if (!sent && (text.match(/^\[\d+\/12\]/gm) ?? []).length >= 3) {
          sent = true;
          kill('SIGINT');
        }
      },
    });
    assert.equal(first.code, 130, first.stderr);
    assert.match(first.stderr, /cancelling… finished runs are kept/);
    const kept = (first.stderr.match(/^\[\d+\/12\]/gm) ?? []).length;
    assert.ok(kept >= 3 && kept < 12, `${kept} runs finished before the cancel`);
    const files = ['specreason-t5-greedy', 'specreason-t9-greedy', 'base', 'small']
      .filter((c) => existsSync(path.join(out, c)))
      .flatMap((c) => readdirSync(path.join(out, c)).flatMap((id) => readdirSync(path.join(out, c, id))));
    assert.equal(files.length, kept);
    const second = await runCli([...args, '--latency', 'zero']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, new RegExp(`${kept} run\\(s\\) already finished`));
    assert.equal((second.stderr.match(/^\[\d+\/12\]/gm) ?? []).length, 12 - kept);
  });

  it('a bad problem set: exit 2 with the file, line and field', async () => {
    const file = path.join(dir, 'bad.jsonl');
    writeFileSync(file, '{"id": 1, "problem": "a", "answer": "1"}\n{"id": 2, "problem": "b"}\n');
    const r = await runCli(['eval', '--dataset', file, '--out', path.join(dir, 'bad-out')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /bad\.jsonl:2: field "answer" is missing/);
  });
});
