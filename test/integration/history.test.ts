// Run history entries whose file is gone are dropped (a fresh demo deletes the files, not the index).

import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { RunHistory } from '../../src/host/history';

class MemoryMemento implements vscode.Memento {
  private readonly _values = new Map<string, unknown>();
  keys(): readonly string[] {
    return [...this._values.keys()];
  }
  get<T>(key: string, fallback?: T): T {
    return (this._values.has(key) ? this._values.get(key) : fallback) as T;
  }
  update(key: string, value: unknown): Thenable<void> {
    this._values.set(key, value);
    return Promise.resolve();
  }
}

describe('run history', () => {
  it('prune drops the entries whose run file is missing and keeps the rest', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'specreason-history-'));
    try {
      const history = new RunHistory(vscode.Uri.file(dir), new MemoryMemento());
      const problem = { text: 'p', style: 'math' } as never;
      for (const id of ['a', 'b', 'c']) {
        await history.save({ id, kind: 'solve', problem, records: [], savedAt: new Date().toISOString() }, 10);
      }
      rmSync(path.join(dir, 'runs', 'b.json'));
      assert.equal(await history.prune(), 1);
      assert.deepEqual(
        history.list().map((e) => e.id),
        ['c', 'a'],
      );
      assert.equal(await history.prune(), 0);
      assert.deepEqual(readdirSync(path.join(dir, 'runs')).sort(), ['a.json', 'c.json']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
