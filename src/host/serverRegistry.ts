// Which model servers were started by SpecReason's launcher, on this machine, by whom: a small JSON file per port
// in a per-user folder of the temp directory. Start Servers (any window) writes one for each server it starts,
// scripts/demo.sh for its simulated pair; Stop Servers stops what is recorded for its ports (whichever window or
// script started it) and says where a server it did not start came from.

import { mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface ServerEntry {
  /** Process group of the server (its leader's pid). */
  pgid: number;
  role: string;
  port: number;
  /** The shell command it runs. */
  command: string;
  /** Who started it, e.g. "a VS Code window" or "scripts/demo.sh". */
  startedBy: string;
  startedAt: string;
}

/** The registry folder: per user, in the temp directory (scripts/demo.sh writes the same place). */
export function registryDir(): string {
  return path.join(os.tmpdir(), `specreason-servers-${os.userInfo().uid}`);
}

export function recordServer(entry: ServerEntry): void {
  try {
    mkdirSync(registryDir(), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(registryDir(), `${entry.port}.json`), JSON.stringify(entry, null, 2));
  } catch {
    /* a registry that cannot be written only costs Stop Servers its reach into other windows */
  }
}

/** The entry of a port, if any. */
export function serverOnPort(port: number): ServerEntry | undefined {
  try {
    const entry = JSON.parse(readFileSync(path.join(registryDir(), `${port}.json`), 'utf8')) as Partial<ServerEntry>;
    return typeof entry.pgid === 'number' && entry.pgid > 1 && entry.port === port ? (entry as ServerEntry) : undefined;
  } catch {
    return undefined;
  }
}

/** Forget a port's entry (only if it is still the given process group's). */
export function forgetServer(port: number, pgid: number): void {
  if (serverOnPort(port)?.pgid === pgid) {
    rmSync(path.join(registryDir(), `${port}.json`), { force: true });
  }
}

/** The process listening on a local TCP port and its command line (Linux, own processes only), if found. */
export function listenerOf(port: number): { pid: number; command: string } | undefined {
  if (process.platform !== 'linux') {
    return undefined;
  }
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    try {
      for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        // local_address "IP:PORT" (hex), st "0A" = LISTEN, inode in column 10
        if (f[3] === '0A' && parseInt(f[1]?.split(':')[1] ?? '', 16) === port && f[9]) {
          inodes.add(f[9]);
        }
      }
    } catch {
      /* no such table */
    }
  }
  if (inodes.size === 0) {
    return undefined;
  }
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
        if (inodes.has(/^socket:\[(\d+)\]$/.exec(target)?.[1] ?? '')) {
          const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
          return { pid: Number(pid), command };
        }
      }
    } catch {
      /* not ours to read, or gone */
    }
  }
  return undefined;
}
