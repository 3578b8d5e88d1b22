// The bundles as subprocesses, for the CLI suites: the CLI (dist/cli.js) and the demo's simulated `vllm serve`
// (dist/simulated-vllm.js).

import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';

export const CLI = path.resolve(__dirname, '../../../dist/cli.js');
export const SIMULATED_VLLM = path.resolve(__dirname, '../../../dist/simulated-vllm.js');

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

/** A port nothing listens on: bind an ephemeral one and let it go. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** A simulated server started as the demo starts it, and what it printed so far. */
export interface ServedSimulator {
  url: string;
  child: ChildProcess;
  log(): string;
  stop(): Promise<void>;
}

/**
 * `simulated-vllm.js serve MODEL --port P FLAGS…` on a free port, once it logs 'Uvicorn running' (as vLLM
 * does when it is ready); a server that exits or stays silent for 15 s fails with its log.
 */
export async function serveSimulated(model: string, flags: string[] = []): Promise<ServedSimulator> {
  const port = await freePort();
  const child = spawn(process.execPath, [SIMULATED_VLLM, 'serve', model, '--port', String(port), ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const closed = new Promise((r) => child.once('close', r));
      child.kill('SIGTERM');
      await closed;
    }
  };
  const deadline = Date.now() + 15000;
  while (!log.includes('Uvicorn running')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      await stop();
      throw new Error(`the simulated server did not start: ${log}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url: `http://127.0.0.1:${port}/v1`, child, log: () => log, stop };
}
