// The objects the extension builds once at activation and hands to its command families.

import type * as vscode from 'vscode';
import type { Evaluations } from './evaluations';
import type { RunHistory } from './history';
import type { ApiKeys } from './secrets';
import type { ServerReport } from './serverCheck';
import type { ServerLauncher } from './serverLauncher';
import type { Sessions } from './sessions';
import type { StatusItem } from './statusItem';

export interface Host {
  readonly log: vscode.LogOutputChannel;
  readonly keys: ApiKeys;
  readonly history: RunHistory;
  readonly sessions: Sessions;
  readonly status: StatusItem;
  /** Start Servers / Stop Servers: the vLLM processes this extension started. */
  readonly launcher: ServerLauncher;
  readonly evaluations: Evaluations;
  /** The reports of the last Check Servers (the extension's API hands them to tests). */
  lastServerReports?: ServerReport[];
}
