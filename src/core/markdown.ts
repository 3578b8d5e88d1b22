// A run as Markdown, for "Copy as Markdown".

import type { RunRecord } from './runRecord';

const ORIGIN: Record<string, string> = {
  small: 'small ✓',
  'base-fallback': 'base (rejected draft)',
  'base-forced': 'base (first N)',
  baseline: 'baseline',
};

export function runToMarkdown(records: readonly RunRecord[]): string {
  const out: string[] = [];
  const first = records[0];
  if (!first) {
    return '';
  }
  out.push(`# SpecReason run ${first.runId}`, '', `**Problem:** ${first.problem.text}`, '');
  for (const record of records) {
    const s = record.summary;
    out.push(`## ${record.mode === 'specreason' ? 'SpecReason' : `${record.mode}-only`}`, '');
    out.push(`- Stop reason: ${s.stopReason}${s.error ? ` (${s.error.message})` : ''}`);
    out.push(`- Answer: ${s.answer !== undefined ? `$\\boxed{${s.answer}}$` : '(none)'}`);
    out.push(
      `- Wall time: ${(s.wallMs / 1000).toFixed(2)} s; steps: ${s.steps}; tokens small ${s.small.tokens}, base ${s.base.tokens}`,
    );
    if (s.acceptanceRate !== undefined) {
      out.push(
        `- Acceptance: ${(s.acceptanceRate * 100).toFixed(1)} % (${s.accepted}/${s.accepted + s.rejected}), threshold ${record.config.threshold} (${record.config.scoreMethod})`,
      );
    }
    out.push('');
    if (record.mode === 'specreason') {
      out.push('| step | origin | score | tokens | ms |', '|---:|---|---:|---:|---:|');
      for (const step of record.steps) {
        out.push(
          `| ${step.step_id} | ${ORIGIN[step.origin] ?? step.origin} | ${step.score === null ? '' : Number(step.score.toFixed(2))} | ${step.final_num_output_tokens} | ${Math.round(step.timings.stepMs)} |`,
        );
      }
      out.push('');
    }
    out.push(...record.steps.map((s) => s.step_str), '');
  }
  return out.join('\n');
}
