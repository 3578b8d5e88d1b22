// Check Servers and Show Log.

import type { Host } from '../host';
import { runCheckServers } from '../serverCheck';
import type { Commands } from './registry';

export function serverCommands(host: Host): Commands {
  return {
    'specreason.checkServers': async () => {
      host.lastServerReports = await runCheckServers(host.keys, host.status, host.log);
      return host.lastServerReports;
    },
    'specreason.showLog': () => host.log.show(true),
  };
}
