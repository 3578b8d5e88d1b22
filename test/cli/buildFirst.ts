// Loaded by .mocharc.cli.json before the CLI suites: they run the bundles in dist/ as subprocesses, so a
// missing bundle, or one older than a source file, is built first (`node esbuild.js`) instead of tested stale.

import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');
const BUNDLES = ['dist/cli.js', 'dist/simulated-vllm.js'].map((f) => path.join(root, f));

function newestSource(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(dir, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestSource(full) : statSync(full).mtimeMs);
  }, 0);
}

const built = BUNDLES.every(existsSync) ? Math.min(...BUNDLES.map((f) => statSync(f).mtimeMs)) : 0;
if (built < newestSource(path.join(root, 'src'))) {
  console.log('  (dist/ is older than src/: building it first with node esbuild.js)');
  execFileSync(process.execPath, ['esbuild.js'], { cwd: root, stdio: 'inherit' });
}
