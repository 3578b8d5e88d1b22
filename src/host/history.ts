// Finished and partial runs, saved to the extension's global storage so none is lost.

import * as vscode from 'vscode';
import type { RunRecord } from '../core/runRecord';
import type { Problem } from '../core/prompts';

export interface SavedSession {
  id: string;
  kind: 'solve' | 'compare';
  problem: Problem;
  records: RunRecord[];
  savedAt: string;
}

export interface HistoryEntry {
  id: string;
  kind: 'solve' | 'compare';
  title: string;
  savedAt: string;
  stopReason: string;
  answer?: string;
}

const INDEX_KEY = 'specreason.history';

export class RunHistory {
  constructor(
    private readonly _storage: vscode.Uri,
    private readonly _state: vscode.Memento,
  ) {}

  private _file(id: string): vscode.Uri {
    return vscode.Uri.joinPath(this._storage, 'runs', `${id.replace(/[^\w.-]/g, '_')}.json`);
  }

  list(): HistoryEntry[] {
    return this._state.get<HistoryEntry[]>(INDEX_KEY, []);
  }

  async save(session: SavedSession, maxRuns: number): Promise<void> {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(this._storage, 'runs'));
    await vscode.workspace.fs.writeFile(this._file(session.id), Buffer.from(JSON.stringify(session)));
    const main = session.records.find((r) => r.mode === 'specreason') ?? session.records[0];
    const entry: HistoryEntry = {
      id: session.id,
      kind: session.kind,
      title: session.problem.text.replace(/\s+/g, ' ').slice(0, 80),
      savedAt: session.savedAt,
      stopReason: main?.summary.stopReason ?? 'error',
      answer: main?.summary.answer,
    };
    const entries = [entry, ...this.list().filter((e) => e.id !== session.id)];
    for (const dropped of entries.splice(maxRuns)) {
      await vscode.workspace.fs.delete(this._file(dropped.id)).then(undefined, () => undefined);
    }
    await this._state.update(INDEX_KEY, entries);
  }

  /**
   * Drop entries whose run file is gone (the index lives in global state, which a web host keeps in the browser,
   * while the files live in the server's storage: a fresh demo deletes the files, not the index). Returns how many.
   */
  async prune(): Promise<number> {
    const entries = this.list();
    const kept: HistoryEntry[] = [];
    for (const e of entries) {
      const exists = await vscode.workspace.fs.stat(this._file(e.id)).then(
        () => true,
        () => false,
      );
      if (exists) {
        kept.push(e);
      }
    }
    if (kept.length !== entries.length) {
      await this._state.update(INDEX_KEY, kept);
    }
    return entries.length - kept.length;
  }

  async load(id: string): Promise<SavedSession | undefined> {
    try {
      return JSON.parse(
        Buffer.from(await vscode.workspace.fs.readFile(this._file(id))).toString('utf8'),
      ) as SavedSession;
    } catch {
      return undefined;
    }
  }
}
