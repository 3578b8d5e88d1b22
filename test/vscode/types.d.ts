// Types the JavaScript suites name in their JSDoc, in one place: Playwright's handles, and the shapes the rig's
// helpers pass around (`/** @typedef {import('../types').Page} Page */` in test/vscode/ui/*.js).

export type { Browser, BrowserContext, ConsoleMessage, Frame, FrameLocator, Locator, Page } from 'playwright-core';

/** A Content Security Policy violation seen by `watchCspViolations` (driver.js). */
export interface CspViolation {
  source: 'event' | 'console';
  time: number;
  frameUrl?: string;
  directive?: string;
  blockedURI?: string;
  documentURI?: string;
  sourceFile?: string;
  sample?: string;
  disposition?: string;
  text?: string;
}

/** What `assertNoCspViolations` counts. */
export interface CspCheck {
  /** Count report-only violations too (default: only enforced ones). */
  includeReportOnly?: boolean;
  /** Violations whose JSON matches one of these are ignored. */
  ignore?: RegExp[];
  /** Only violations from webview frames. */
  webviewOnly?: boolean;
}

export type CspWatcher = ReturnType<typeof import('./driver').watchCspViolations>;

/** The simulated vLLM pair a UI test runs against (`startSimPair`). */
export type SimPair = Awaited<ReturnType<typeof import('../../out/src/sim/scenarios').startSimPair>>;

/** A wait's options: how long, and (for a webview) what to wait for in it. */
export interface WaitOptions {
  timeout?: number;
  selector?: string;
}

/** A request the simulated server logged (its method, path, body and headers). */
export type { RequestLogEntry } from '../../out/src/sim/simulatedVllm';
