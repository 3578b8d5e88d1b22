// The engine must run without VS Code: nothing under src/core or src/sim may import `vscode`.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? files(full) : full.endsWith('.ts') ? [full] : [];
  });
}

describe('layering', () => {
  const root = path.resolve(__dirname, '../../../src');
  for (const layer of ['core', 'sim', 'shared']) {
    it(`src/${layer} never imports vscode`, () => {
      const offenders = files(path.join(root, layer)).filter((f) =>
        /(from\s+['"]vscode['"]|require\(\s*['"]vscode['"]\s*\))/.test(readFileSync(f, 'utf8')),
      );
      assert.deepEqual(offenders, []);
    });
  }
});
