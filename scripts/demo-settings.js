#!/usr/bin/env node
// demo-settings.js USER.json REMOTE.json — the demo's VS Code settings, as scripts/demo.sh seeds code-server with
// them (the demo's UI tests use the same writer): in User settings the ports of the simulated pair; in Remote
// settings (machine-specific, as a GPU machine's would be over Remote-SSH) what Start Servers runs.
// Environment: BASE_PORT (30000), SMALL_PORT (30001), LATENCY (realistic), SIMULATOR (the simulated server's command).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const [userFile, remoteFile] = process.argv.slice(2);
if (!userFile || !remoteFile) {
  process.stderr.write('usage: node scripts/demo-settings.js USER_SETTINGS.json REMOTE_SETTINGS.json\n');
  process.exit(2);
}
const env = process.env;
const latency = env.LATENCY || 'realistic';
const simulator = env.SIMULATOR || `node "${path.resolve(__dirname, '../dist/simulated-vllm.js')}" serve`;
const write = (/** @type {string} */ file, /** @type {Record<string, unknown>} */ settings) =>
  fs.writeFileSync(file, JSON.stringify(settings, null, 2) + '\n');
write(userFile, {
  'specreason.server.basePort': Number(env.BASE_PORT || 30000),
  'specreason.server.smallPort': Number(env.SMALL_PORT || 30001),
});
write(remoteFile, {
  'specreason.launch.base.command': simulator,
  'specreason.launch.small.command': simulator,
  'specreason.launch.base.extraArgs': `--latency ${latency} --load-seconds 0.5`,
  'specreason.launch.small.extraArgs': `--latency ${latency} --load-seconds 0.5`,
});
