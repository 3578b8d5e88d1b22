// Re-grade a saved evaluation: every run file's grade is decided again from its record (after a grader
// change, say), files whose verdict changed are rewritten, and the results are rebuilt from the files.

import { readdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { reasoningText } from '../engine/runRecord';
import { rowOf, type Configuration, type RunFile, type RunRow } from './evaluation';
import { grade } from './grader';
import { buildResults, type Results } from './results';

async function runFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const configuration of await readdir(dir, { withFileTypes: true })) {
    if (!configuration.isDirectory()) {
      continue;
    }
    for (const problem of await readdir(path.join(dir, configuration.name), { withFileTypes: true })) {
      if (!problem.isDirectory()) {
        continue;
      }
      for (const file of await readdir(path.join(dir, configuration.name, problem.name))) {
        if (/^\d+\.json$/.test(file)) {
          out.push(path.join(configuration.name, problem.name, file));
        }
      }
    }
  }
  return out.sort();
}

export async function regradeDirectory(dir: string): Promise<{ results: Results; changed: number }> {
  let previous: Partial<Results> = {};
  try {
    previous = JSON.parse(await readFile(path.join(dir, 'results.json'), 'utf8')) as Results;
  } catch {
    // no results.json yet (an evaluation cancelled before its end): rebuilt from the run files alone
  }
  const rows: RunRow[] = [];
  const configurations = new Map<string, Configuration>();
  let changed = 0;
  let tokenBudget = 0;
  let repeats = 0;
  for (const relative of await runFiles(dir)) {
    const full = path.join(dir, relative);
    let file: RunFile;
    try {
      file = JSON.parse(await readFile(full, 'utf8')) as RunFile;
    } catch (error) {
      throw new Error(`${full}: not a run file (${(error as Error).message})`);
    }
    if (file.evalFormat !== 1 || !file.record?.summary) {
      continue;
    }
    if (file.record.summary.stopReason !== 'error') {
      const choices = file.record.problem.choices ? { ...file.record.problem.choices } : undefined;
      const verdict = grade(file.gold, reasoningText(file.record.steps), {
        choices,
        problem: file.record.problem.text,
      });
      if (JSON.stringify(verdict) !== JSON.stringify(file.grade)) {
        changed++;
        file.grade = verdict;
        await writeFile(full, JSON.stringify(file, null, 1) + '\n');
      }
    }
    configurations.set(file.configuration.name, file.configuration);
    tokenBudget = file.record.config.tokenBudget;
    repeats = Math.max(repeats, file.repeat + 1);
    rows.push(rowOf(file, relative));
  }
  const order = (previous.configurations ?? []).map((c) => c.name);
  const sorted = [...configurations.values()].sort(
    (a, b) => (order.indexOf(a.name) + 1 || 1e9) - (order.indexOf(b.name) + 1 || 1e9) || a.name.localeCompare(b.name),
  );
  const results = buildResults(rows, sorted, {
    dataset: previous.dataset ?? '(unknown)',
    tokenBudget: previous.tokenBudget ?? tokenBudget,
    repeats: previous.repeats ?? repeats,
    concurrency: previous.concurrency ?? 1,
    choiceOrder: previous.choiceOrder ?? 'shuffled',
    hub: previous.hub,
    preset: previous.preset,
    simulated: previous.simulated,
  });
  return { results, changed };
}
