// Where a run is written (--out, --output_dir): checked before any request, so a bad path costs no run;
// written through a temporary file and a rename, so a reader never sees half a record and a FIFO or a
// device never blocks the write; and if the write fails anyway, the run goes to the temp folder instead.

import { closeSync, mkdirSync, openSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UserError } from './errors';

/** Throws UserError unless a record can be written at `file` (creating its folders). */
export function checkOutputPath(file: string, flag: string): void {
  const target = path.resolve(file);
  const existing = statOrUndefined(target);
  if (existing?.isDirectory()) {
    throw new UserError(`${flag} ${file} is a directory; give a file name, e.g. ${path.join(file, 'run.json')}`);
  }
  if (existing && !existing.isFile()) {
    throw new UserError(`${flag} ${file} is not a regular file (a pipe, socket or device); give a file name`);
  }
  // The nearest folder that exists must be a folder, and we must be able to create files in it.
  let dir = path.dirname(target);
  for (;;) {
    const stat = statOrUndefined(dir);
    if (stat && !stat.isDirectory()) {
      throw new UserError(`${flag} ${file} is under ${dir}, which is a file, not a folder`);
    }
    if (stat || dir === path.dirname(dir)) {
      break;
    }
    dir = path.dirname(dir);
  }
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    const probe = path.join(path.dirname(target), `.specreason-write-check-${process.pid}`);
    closeSync(openSync(probe, 'wx'));
    unlinkSync(probe);
  } catch (error) {
    throw new UserError(`${flag} ${file} cannot be written: ${(error as Error).message}`);
  }
}

/** Write `text` to `file` atomically. Returns where it went: `file`, or a temp-folder file if that failed. */
export function writeRecord(file: string, text: string, runId: string): { path: string; error?: string } {
  const target = path.resolve(file);
  const temp = `${target}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, target);
    return { path: file };
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      /* not created */
    }
    const fallback = path.join(tmpdir(), `specreason-${runId}.json`);
    writeFileSync(fallback, text);
    return { path: fallback, error: (error as Error).message };
  }
}

function statOrUndefined(p: string) {
  try {
    return statSync(p);
  } catch {
    return undefined; // nothing there (or not reachable: the folder walk says why)
  }
}
