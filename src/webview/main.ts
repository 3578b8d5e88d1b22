// Reasoning panel entry: owns the state, folds host messages into it with the shared reducer and
// renders at most once per animation frame.

import { PanelMirror } from '../shared/panelSync';
import {
  isToWebviewType,
  PROTOCOL_VERSION,
  type FromWebview,
  type PanelState,
  type ToWebview,
} from '../shared/protocol';
import { h } from './dom';
import { Shell } from './shell';
import { POST_EVENT } from './stepTools';

const vscode = acquireVsCodeApi<PanelState>();
const post = (message: FromWebview) => vscode.postMessage(message);

document.addEventListener('securitypolicyviolation', (e) => {
  post({ type: 'webview/cspViolation', directive: e.violatedDirective, blocked: e.blockedURI });
});

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const shell = new Shell(app, post, app.dataset.simulated === 'true');
// Step tools post through a DOM event (see stepTools.ts) instead of a handle passed down every view.
app.addEventListener(POST_EVENT, (e) => post((e as CustomEvent<FromWebview>).detail));

const mirror = new PanelMirror();
let state: PanelState | undefined;
let frame: number | undefined;
let persistTimer: ReturnType<typeof setTimeout> | undefined;
let clock: ReturnType<typeof setInterval> | undefined;
/** Whether a run was going at the last render: the render where it stops brings the result into view. */
let wasRunning = false;

/** Persisted state survives the panel being hidden; saving is throttled since runs change fast. */
const PERSIST_EVERY_MS = 1000;
const CLOCK_EVERY_MS = 200;

function persist(): void {
  if (persistTimer !== undefined) {
    return;
  }
  persistTimer = setTimeout(flushPersist, PERSIST_EVERY_MS);
}

/** Save now: a webview being hidden or reloaded must not lose the last throttled second. */
function flushPersist(): void {
  clearTimeout(persistTimer);
  persistTimer = undefined;
  if (state) {
    vscode.setState(state);
  }
}
window.addEventListener('pagehide', flushPersist);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'hidden') {
    flushPersist();
  }
});

const root = document.scrollingElement ?? document.documentElement;
/** Whether the reader is at the bottom of the page, where the panel follows the stream. */
const atBottom = () => root.scrollTop + root.clientHeight >= root.scrollHeight - 32;
/**
 * Whether the reader was at the bottom when the page last scrolled. The page can grow below them without a
 * scroll (a group of steps shown for the first time takes its real height a frame after it was placed, see
 * steps.ts): they still follow the stream, and the panel scrolls down again when the page grows.
 */
let stuckToBottom = true;
const following = () => atBottom() || stuckToBottom;
document.addEventListener(
  'scroll',
  (e) => {
    if (e.target === document) {
      stuckToBottom = atBottom();
    }
  },
  { passive: true },
);
new ResizeObserver(() => {
  if (stuckToBottom && shell.running) {
    root.scrollTop = root.scrollHeight;
  }
}).observe(app);

function render(): void {
  frame = undefined;
  if (!state) {
    return;
  }
  // Follow the stream while the reader is at the bottom of the page; leave them be once they scroll up.
  const follows = following();
  shell.render(state);
  const running = shell.running;
  if (follows && running) {
    root.scrollTop = root.scrollHeight;
  } else if (follows && wasRunning) {
    // The run just ended under a reader who let the panel follow it: the answer and summary sit at the
    // top, so show them. A reader who scrolled away on purpose is left where they are.
    shell.revealResult();
  }
  buildSteps(follows && running);
  wasRunning = running;
  runClock();
}

let buildFrame: number | undefined;

/** Steps are placeholders until they come near the view: build those in view now, the rest of them next frame. */
function buildSteps(follows = following() && shell.running): void {
  if (shell.buildVisible(follows)) {
    scheduleBuild();
  }
  if (follows) {
    root.scrollTop = root.scrollHeight; // built steps are taller than their placeholders
  }
}

function scheduleBuild(): void {
  buildFrame ??= requestAnimationFrame(() => {
    buildFrame = undefined;
    buildSteps();
  });
}
// Capture: the page's scroll and a compare column's.
document.addEventListener('scroll', scheduleBuild, { capture: true, passive: true });
window.addEventListener('resize', scheduleBuild);

/** Coalesces any number of updates into one DOM pass in the next frame. */
function scheduleRender(): void {
  frame ??= requestAnimationFrame(render);
  persist();
}

function runClock(): void {
  if (shell.running && clock === undefined) {
    clock = setInterval(() => shell.tick(), CLOCK_EVERY_MS);
  } else if (!shell.running && clock !== undefined) {
    clearInterval(clock);
    clock = undefined;
  }
}

function handle(message: ToWebview): void {
  const receipt = mirror.receive(message);
  state = mirror.state;
  if (receipt === 'resync') {
    // Events went missing on the way: ask for the whole state again.
    post({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
  } else if (receipt === 'tuning' && state) {
    shell.setTuning(state.tuning);
    persist();
  } else if (receipt === 'render') {
    scheduleRender();
  }
}

function isToWebview(data: unknown): data is ToWebview {
  return typeof data === 'object' && data !== null && isToWebviewType((data as { type?: unknown }).type);
}

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  if (isToWebview(event.data)) {
    handle(event.data);
  }
});

// Shown until the host's snapshot replaces it (the host always sends one after ready).
const saved = vscode.getState();
if (saved && saved.protocolVersion === PROTOCOL_VERSION && Array.isArray(saved.runs)) {
  mirror.state = state = saved;
  render();
}

post({ type: 'webview/ready', protocolVersion: PROTOCOL_VERSION });
