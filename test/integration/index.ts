// Mocha runner loaded by VS Code as extensionTestsPath (code-server's `payload`, or @vscode/test-electron).
// Pass/fail leaves through the promise (→ codeAutomationExit / the process exit code) and RESULT_FILE.

import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

type MochaCtor = new (options: Record<string, unknown>) => {
  addFile(file: string): void;
  run(done: (failures: number) => void): { stats?: { passes: number; failures: number; tests: number } };
};

export function run(): Promise<void> {
  // mocha 12 is an ES module: require() returns its namespace.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded at run time inside the extension host
  const mochaModule = require('mocha') as { default?: MochaCtor } & MochaCtor;
  const Mocha = mochaModule.default ?? mochaModule;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, reporter: 'spec' });
  // EXT_TESTS=engines,launcher runs only those files (the rig passes the caller's environment through).
  const only = process.env.EXT_TESTS?.split(',').map((name) => `${name.trim()}.test.js`);
  for (const file of readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js') && (!only || only.includes(f)))
    .sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats ?? { passes: 0, failures, tests: 0 };
      if (process.env.RESULT_FILE) {
        writeFileSync(
          process.env.RESULT_FILE,
          JSON.stringify({ passes: stats.passes, failures: stats.failures, tests: stats.tests }),
        );
      }
      if (failures > 0) {
        reject(new Error(`${failures} extension-host tests failed`));
      } else if (stats.passes === 0) {
        reject(new Error('no extension-host test ran'));
      } else {
        resolve();
      }
    });
  });
}
