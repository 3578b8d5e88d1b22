// The progress lines a run prints on stderr (one per step, then a summary), shared by `solve` and `compare`.

import type { RunEvent } from '../core/engine/runRecord';
import type { ErrorInfo } from '../core/errors';
import { writeErr } from './terminal';

export function progressPrinter(quiet: boolean): (event: RunEvent) => void {
  const out = (line: string) => writeErr(line + '\n');
  if (quiet) {
    // -q: no progress, but a failure is still explained.
    return (event) => {
      if (event.type === 'error') {
        out(errorText(event.error));
      }
    };
  }
  const secs = (ms: number | undefined) => (ms === undefined ? '-' : `${(ms / 1000).toFixed(2)} s`);
  return (event) => {
    switch (event.type) {
      case 'run-start':
        out(
          `specreason: ${event.mode} run ${event.runId} — base ${event.config.base.url}, small ${event.config.small.url}`,
        );
        break;
      case 'step-done': {
        const r = event.record;
        const origin =
          r.origin === 'small'
            ? `small ✓ score ${r.score?.toFixed(2)}`
            : r.origin === 'base-fallback'
              ? `base  ✗ score ${r.score?.toFixed(2)}, rewritten`
              : r.origin === 'base-forced'
                ? 'base  (first-N)'
                : 'baseline';
        const text = r.step_str.replace(/\s+/g, ' ');
        out(
          `step ${String(r.step_id).padStart(3)}  ${origin.padEnd(28)} ${String(r.final_num_output_tokens).padStart(5)} tok  ${secs(r.timings.stepMs).padStart(8)}  ${text.length > 70 ? text.slice(0, 69) + '…' : text}`,
        );
        break;
      }
      case 'error':
        out(errorText(event.error));
        break;
      case 'run-done': {
        const s = event.record.summary;
        out(
          `done: ${s.stopReason} after ${s.steps} steps in ${secs(s.wallMs)}; answer ${s.answer ?? '(none)'}; ` +
            `accepted ${s.accepted}/${s.accepted + s.rejected}${s.forced ? `, forced ${s.forced}` : ''}; ` +
            `tokens small ${s.small.tokens}, base ${s.base.tokens}; kept ${s.keptTokens}`,
        );
        break;
      }
      default:
        break;
    }
  };
}

/** A run's error: what happened, what to do, and the errors underneath (for a bug report or a closer look). */
export function errorText(error: ErrorInfo): string {
  return [
    `error: ${error.message}`,
    ...(error.hint ? [`  ${error.hint}`] : []),
    ...(error.cause ? [`  cause: ${error.cause}`] : []),
  ].join('\n');
}
