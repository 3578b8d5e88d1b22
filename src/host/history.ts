// Finished and partial runs, saved to the extension's global storage so none is lost.

import * as vscode from 'vscode';
import { historyEntry, type HistoryEntry, type SavedSession } from './historyEntry';

export type { HistoryEntry, SavedSession };

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
    const entry = historyEntry(session);
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

  /** Drop an entry (its file is gone, or unreadable). */
  async remove(id: string): Promise<void> {
    await this._state.update(
      INDEX_KEY,
      this.list().filter((e) => e.id !== id),
    );
    await vscode.workspace.fs.delete(this._file(id)).then(undefined, () => undefined);
  }

  /** The entries whose files still exist; the others are removed from the index. */
  async existing(): Promise<HistoryEntry[]> {
    await this.prune();
    return this.list();
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
