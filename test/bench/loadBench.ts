// Load-time benchmark of the extension's bundles (printed, never asserted): for the activation shell
// (dist/extension.js, what VS Code loads at activation) and its body (dist/host.js, loaded on first use), the
// time to require the file in a fresh Node process and the heap it leaves, median of N processes. `vscode` is a
// stub: this measures loading code, not activate(). Run after `node esbuild.js --production` (or npm run package).
//   npm run bench:load [-- N=7]

import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const child = `
const Module = require('module');
const resolve = Module._resolveFilename;
Module._resolveFilename = function (r, ...a) { return r === 'vscode' ? 'vscode' : resolve.call(this, r, ...a); };
require.cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: new Proxy({}, { get: () => function () {} }) };
const t0 = process.hrtime.bigint();
require(process.argv[1]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
global.gc?.();
console.log(JSON.stringify({ ms, heapMb: process.memoryUsage().heapUsed / 1048576 }));
`;

const n = Number(process.argv[2] ?? 7);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const dist = path.resolve(__dirname, '../../../dist');
console.log(
  `load benchmark: ${n} fresh processes per bundle, load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const file of ['extension.js', 'host.js']) {
  const abs = path.join(dist, file);
  const samples = Array.from(
    { length: n },
    () =>
      JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', child, abs], { encoding: 'utf8' })) as {
        ms: number;
        heapMb: number;
      },
  );
  const ms = samples.map((s) => s.ms);
  console.log(
    `  ${file.padEnd(13)} ${(statSync(abs).size / 1024).toFixed(0).padStart(5)} KB   require ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}, max ${Math.max(...ms).toFixed(1)})   heap ${median(samples.map((s) => s.heapMb)).toFixed(1)} MB`,
  );
}
