// The layers of ARCHITECTURE.md, checked: the engine runs without VS Code (nothing under src/core,
// src/sim, src/shared or src/webview imports `vscode`), and each layer imports only the layers it may. And the
// kinds of tests: a unit suite runs in process, so it never imports the CLI suites' subprocess helpers.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

const root = path.resolve(__dirname, '../../../src');

/** Layer → the layers of ours it may import (besides itself). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  sim: [],
  shared: ['core'],
  webview: ['core', 'shared'],
  cli: ['core', 'sim'],
  host: ['core', 'shared', 'sim'],
};

/** The layer of a file under src (extension.ts and cli.ts belong to host and cli). */
function layerOf(file: string): string {
  const rel = path.relative(root, file).split(path.sep);
  return rel.length === 1 ? (rel[0] === 'extension.ts' ? 'host' : 'cli') : rel[0]!;
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from\s+|require\(\s*|import\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

/** src/core by concern (ARCHITECTURE.md): its folders, and the few files every concern shares. */
const CORE_FOLDERS = ['engine', 'eval', 'launch', 'llm', 'presentation', 'problem'];
const CORE_FILES = ['abort.ts', 'config.ts', 'errors.ts', 'settingsManifest.ts', 'settingsTable.ts'];

describe('layering', () => {
  it('src/core holds its concerns in folders, and only the shared files at the top', () => {
    const entries = readdirSync(path.join(root, 'core'));
    const isDir = (name: string) => statSync(path.join(root, 'core', name)).isDirectory();
    assert.deepEqual(entries.filter(isDir).sort(), CORE_FOLDERS);
    assert.deepEqual(entries.filter((n) => !isDir(n)).sort(), CORE_FILES);
  });

  for (const layer of ['core', 'sim', 'shared', 'webview']) {
    it(`src/${layer} never imports vscode`, () => {
      const offenders = files(path.join(root, layer)).filter((f) => imports(f).includes('vscode'));
      assert.deepEqual(offenders, []);
    });
  }

  for (const [layer, allowed] of Object.entries(MAY_IMPORT)) {
    it(`src/${layer} imports only ${allowed.length ? allowed.join(', ') : 'itself'} of the other layers`, () => {
      const own = files(root).filter((f) => layerOf(f) === layer);
      assert.ok(own.length > 0);
      const offenders = own.flatMap((f) =>
        imports(f)
          .filter((spec) => spec.startsWith('.'))
          .map((spec) => layerOf(path.resolve(path.dirname(f), spec) + '.ts'))
          .filter((to) => to !== layer && !allowed.includes(to))
          .map((to) => `${path.relative(root, f)} → ${to}`),
      );
      assert.deepEqual(offenders, []);
    });
  }

  it('test/unit never runs the bundled CLI or simulator (their subprocess suites live in test/cli)', () => {
    const unit = path.resolve(__dirname, '../../../test/unit');
    const offenders = files(unit).filter((f) =>
      imports(f).some((spec) =>
        path.resolve(path.dirname(f), spec).startsWith(path.resolve(unit, '../cli') + path.sep),
      ),
    );
    assert.deepEqual(
      offenders.map((f) => path.relative(unit, f)),
      [],
    );
  });
});
