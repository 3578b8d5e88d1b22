// Check Servers: what each server is, and when one is not right, what to do about it.

import * as vscode from 'vscode';
import { API_KEY_ADVICE, type SpecReasonConfig } from '../core/config';
import { redactUrlUserInfo, serverUrlProblem } from '../core/llm/serverUrl';
import { conformanceReport, probeConformance, type RoleConformance } from '../core/llm/conformance';
import { createClients } from '../core/llm/factory';
import { scoringProblem, type ScoringProblem } from '../core/engine/scoringCheck';
import { policyBlocker, policyParams } from '../core/engine/policies';
import {
  SERVER_KIND_NAMES,
  SIMULATOR_OWNER,
  type ModelRole,
  type ServerFeatures,
  type ServerHealth,
} from '../core/llm/server';
import { commandAction, openSettingsAction, showError, type ErrorAction } from './notify';
import { askBeforeSendingKey, type ApiKeys } from './secrets';
import { launchesSimulator, simulatorDownHint, startCommandFor } from './serverLauncher';
import { readSettings } from './settings';
import type { StatusItem } from './statusItem';

export interface ServerReport {
  role: ModelRole;
  url: string;
  health: ServerHealth;
  features?: ServerFeatures;
  /** What is wrong, in one sentence, and what to do; undefined when the server is fine. */
  problem?: string;
  /** The vllm serve command that would start this server. */
  startCommand: string;
  /** The conformance probe's checks (a server that answers): continuation, score, context, prefix caching. */
  conformance?: RoleConformance;
  simulated: boolean;
  /** Base server: what keeps it from scoring (no logprobs, too few top logprobs), found with one score request. */
  scoring?: ScoringProblem;
}

export async function checkServers(config: SpecReasonConfig): Promise<ServerReport[]> {
  const clients = createClients({
    ...config,
    maxRetries: 0,
    requestTimeoutSec: Math.min(config.requestTimeoutSec, 10),
  });
  const reports = await Promise.all(
    (['base', 'small'] as const).map(async (role): Promise<ServerReport> => {
      // A URL that is refused (user-info, query) is never contacted, and is not shown as typed.
      const refused = serverUrlProblem(`the ${role} server URL`, config[role].url, { howToSetKey: API_KEY_ADVICE });
      if (refused) {
        const url = redactUrlUserInfo(config[role].url);
        return { role, url, health: { url, ok: false }, problem: refused, startCommand: '', simulated: false };
      }
      const client = clients[role];
      const health = await client.health();
      const report: ServerReport = {
        role,
        url: client.url,
        health,
        startCommand: startCommandFor(role, config),
        simulated: false,
      };
      const model = health.models?.[0];
      report.simulated = model?.ownedBy === SIMULATOR_OWNER;
      const host = new URL(client.url).host;
      if (health.error) {
        const e = health.error;
        report.problem =
          e.code === 'server_down'
            ? launchesSimulator(role, config)
              ? simulatorDownHint(role, client.url)
              : `nothing listens on ${host} — start vLLM with: ${report.startCommand}`
            : e.code === 'auth'
              ? `${host} wants an API key (HTTP 401): set the key the server was started with (--api-key)`
              : e.code === 'timeout'
                ? `${host} did not answer within ${Math.min(config.requestTimeoutSec, 10)} s: it may still be loading the model, or be hung`
                : `${host}: ${e.message}`;
      } else if (!health.ok) {
        report.problem = `${host} answers /health with HTTP ${health.healthStatus}: the engine is not healthy; see the ${client.hints.name} log`;
      } else if (config[role].model && !health.models?.some((m) => m.id === config[role].model)) {
        report.problem = `${host} serves ${health.models?.map((m) => m.id).join(', ') || 'no model'}, not the configured ${config[role].model}`;
      }
      if (role === 'base' && !report.problem) {
        // Refused here, with what is missing and the fix, rather than in the middle of a run.
        report.scoring = await scoringProblem(client, config.scoreMethod);
        if (report.scoring) {
          report.problem = `${host} cannot score: ${report.scoring.missing}. Fix: ${report.scoring.fix}`;
        }
      }
      if (!health.error) {
        const metrics = await client.metrics();
        if (metrics !== undefined) {
          report.features = client.features(metrics);
        }
      }
      if (health.ok && !report.problem) {
        // A tiny real exchange: what works on this engine, what differs, and the fix.
        report.conformance = await probeConformance(client, config, AbortSignal.timeout(60_000));
        const failed = report.conformance.checks.find((c) => c.status === 'fail');
        if (failed) {
          report.problem = `${host} fails the ${failed.id} check: ${failed.detail}${failed.fix ? ` — ${failed.fix}` : ''}`;
        }
      }
      return report;
    }),
  );
  // The configured step policy, said here rather than when a run starts: what a server cannot serve for it.
  const kind = (role: ModelRole) => reports.find((r) => r.role === role)?.health.kind;
  const blocked = policyBlocker(policyParams(config).policy, { base: kind('base'), small: kind('small') });
  const report = blocked && reports.find((r) => r.role === blocked.role);
  if (blocked && report && !report.problem) {
    report.problem = blocked.message;
  }
  return reports;
}

export function describeReport(r: ServerReport): string {
  if (r.problem) {
    return `${r.role}: ${r.problem}`;
  }
  const m = r.health.models?.[0];
  const f = r.features;
  // The simulator answers /version like the vLLM it imitates: say what it is, not "vLLM 0.11.0".
  const kindName = SERVER_KIND_NAMES[r.health.kind ?? 'vllm'];
  const engine = r.simulated
    ? `simulated ${kindName} (SpecReason's test server, imitating ${kindName} ${r.health.version ?? '?'})`
    : `${kindName} ${r.health.version ?? '?'}`;
  const extras = f
    ? [
        `speculative decoding ${f.specDecode ? 'on' : 'off'}`,
        `prefix caching ${f.prefixCaching === undefined ? 'unknown' : f.prefixCaching ? 'on' : 'off'}${f.prefixCacheHitRate !== undefined ? ` (hit rate ${(f.prefixCacheHitRate * 100).toFixed(0)} %)` : ''}`,
      ]
    : ['metrics unknown'];
  return `${r.role}: ${r.url} — ${m?.id ?? '?'}${r.simulated ? ' (SIMULATED)' : ''}, max_model_len ${m?.maxModelLen ?? '?'}, ${engine}, ${r.health.roundTripMs?.toFixed(0) ?? '?'} ms; ${extras.join(', ')}`;
}

/** The pair's health from a check, in the status item. */
export function showHealth(status: StatusItem, reports: ServerReport[]): void {
  status.setHealth(
    reports.every((r) => !r.problem),
    reports.map(describeReport),
  );
}

export async function runCheckServers(
  keys: ApiKeys,
  status: StatusItem,
  log: vscode.LogOutputChannel,
): Promise<ServerReport[]> {
  const config = await keys.apply(readSettings().config, askBeforeSendingKey);
  const reports = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'SpecReason: checking servers' },
    () => checkServers(config),
  );
  showHealth(status, reports);
  for (const r of reports) {
    if (r.problem) {
      log.warn(describeReport(r));
    } else {
      log.info(describeReport(r));
    }
  }
  const bad = reports.filter((r) => r.problem);
  const document = reportDocument(reports);
  const showReport: ErrorAction = {
    title: 'Show Report',
    run: () => showReportPreview(document),
  };
  const probed = reports.flatMap((r) => (r.conformance ? [r.conformance] : []));
  const copyProbe: ErrorAction = {
    title: 'Copy Probe Report',
    run: () => vscode.env.clipboard.writeText(probeText(probed)),
  };
  if (bad.length === 0) {
    void vscode.window
      .showInformationMessage(
        `SpecReason: both servers are up (${reports.map((r) => `${r.role}: ${r.health.models?.[0]?.id ?? '?'}`).join(', ')}).`,
        showReport.title,
      )
      .then((choice) => (choice ? showReport.run() : undefined));
    return reports;
  }
  // One notification naming every server that is down; the report has the whole story.
  const starts = bad.filter((r) => r.health.error?.code === 'server_down').map((r) => r.startCommand);
  const fixes: ErrorAction[] = [
    ...(starts.length > 0
      ? [
          commandAction('Start Servers', 'specreason.startServers'),
          { title: 'Copy Start Command', run: () => vscode.env.clipboard.writeText(starts.join('\n')) },
        ]
      : []),
    ...(bad.some((r) => r.health.error?.code === 'auth')
      ? [commandAction('Set API Key', 'specreason.setApiKey', bad.length === 1 ? bad[0]!.role : undefined)]
      : []),
    showReport,
    ...(probed.some((c) => c.checks.some((k) => k.status === 'fail')) ? [copyProbe] : []),
    openSettingsAction('specreason.server'),
  ];
  const named = bad.length === reports.length ? 'both servers are down' : `the ${bad[0]!.role} server is not right`;
  void showError(`${named} — ${bad.map(describeReport).join('; ')}`, ...fixes);
  return reports;
}

/** Check reports as read-only Markdown documents (no save prompt on close), one per check. */
export const REPORT_SCHEME = 'specreason-report';
const reports = new Map<string, string>();
let checks = 0;

export const reportDocuments: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: (uri) => reports.get(uri.path) ?? '(this report is no longer available)',
};

/** The report rendered (Markdown preview), not as its source; the source when the preview is not there. */
async function showReportPreview(uri: vscode.Uri): Promise<void> {
  try {
    await vscode.commands.executeCommand('markdown.showPreview', uri);
  } catch {
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true });
  }
}

function reportDocument(list: ServerReport[]): vscode.Uri {
  const uri = vscode.Uri.from({ scheme: REPORT_SCHEME, path: `/Server check ${++checks}.md` });
  reports.set(uri.path, reportMarkdown(list, new Date()));
  return uri;
}

/** The whole check as Markdown: each server's state, and for one that is down what to do. */
export function reportMarkdown(list: readonly ServerReport[], at: Date): string {
  const out = [`# SpecReason: server check`, '', `Checked ${at.toLocaleString()}.`, ''];
  for (const r of list) {
    out.push(`## ${r.role === 'base' ? 'Base' : 'Small'} model server — ${r.problem ? 'NOT RIGHT' : 'up'}`, '');
    out.push(`- URL: ${r.url}`);
    if (r.problem) {
      out.push(`- Problem: ${r.problem}`, `- Start command: \`${r.startCommand}\``);
    } else {
      out.push(`- ${describeReport(r).replace(/^\w+: /, '')}`);
    }
    out.push('');
  }
  const probed = list.flatMap((r) => (r.conformance ? [r.conformance] : []));
  if (probed.length > 0) {
    out.push('## Conformance probe', '', 'A tiny real exchange with each server; paste this in a bug report.', '');
    out.push('```text', probeText(probed), '```', '');
  }
  return out.join('\n');
}

function probeText(probed: readonly RoleConformance[]): string {
  const version = (vscode.extensions.getExtension('specreason.specreason')?.packageJSON as { version?: string })
    ?.version;
  return conformanceReport(probed, {
    product: `SpecReason for VS Code ${version ?? '?'}, VS Code ${vscode.version}`,
    node: process.version,
  });
}
