// The bundled CLI (dist/cli.js) as a subprocess, for the CLI suites.

import { spawn } from 'node:child_process';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** Run `specreason args…`; with signalAfterMs, Ctrl+C that long after the progress shows step 1. */
export function cli(
  args: string[],
  options: { signalAfterMs?: number } = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SPECREASON_API_KEY: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (options.signalAfterMs !== undefined && /step +1 /.test(stderr)) {
        setTimeout(() => child.kill('SIGINT'), options.signalAfterMs);
        options.signalAfterMs = undefined;
      }
    });
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
