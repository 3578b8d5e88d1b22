// The panel state VS Code hands back after a window reload, checked before it is trusted. Pure (no
// `vscode`), so Node unit tests cover it.

import { PROTOCOL_VERSION, type PanelState } from '../shared/protocol';

/** The webview's saved state, if it is of this protocol version; undefined for anything else. */
export function restoredState(saved: unknown): PanelState | undefined {
  if (typeof saved === 'string') {
    // Some hosts hand the state back as its JSON text.
    try {
      saved = JSON.parse(saved);
    } catch {
      return undefined;
    }
  }
  const candidate = (saved as { state?: unknown } | undefined)?.state ?? saved;
  const s = candidate as Partial<PanelState> | undefined;
  return s && s.protocolVersion === PROTOCOL_VERSION && Array.isArray(s.runs) && s.problem
    ? (s as PanelState)
    : undefined;
}

/** A short description of a state that was refused, for the log (key names only, no content). */
export function describeRefusedState(saved: unknown): string {
  const keys = saved && typeof saved === 'object' ? `: ${Object.keys(saved).slice(0, 8).join(', ')}` : '';
  return `${typeof saved}${keys}`;
}
