// What the extension-host suites share: the installed extension's API, writing user settings, a free port.
// (index.ts loads only *.test.js files, so this module is imported, never run as a suite.)

import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { SpecReasonApi } from '../../src/extension';

export const EXTENSION_ID = 'specreason.specreason';

/** The packaged extension's API (activating it if needed). */
export async function api(): Promise<SpecReasonApi> {
  const extension = vscode.extensions.getExtension<SpecReasonApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is installed`);
  return extension.activate();
}

/** Write `specreason.*` user settings (undefined removes one). */
export async function configure(values: Record<string, unknown>): Promise<void> {
  const c = vscode.workspace.getConfiguration('specreason');
  for (const [key, value] of Object.entries(values)) {
    await c.update(key, value, vscode.ConfigurationTarget.Global);
  }
}

/** A port nothing listens on (bound and released). */
export async function freePort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
