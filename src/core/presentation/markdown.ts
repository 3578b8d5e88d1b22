// A run (or a comparison) as Markdown, for "Copy as Markdown": the panel's numbering and labels.

import { compareRecords } from './compareTable';
import { formatSpeedup, MODE_LABEL, ORIGIN_LABEL, SIMULATED_LABEL } from './format';
import type { RunRecord, StepRecord } from '../engine/runRecord';

export interface MarkdownOptions {
  /** The servers were the simulated pair: say so, as the panel does. */
  simulated?: boolean;
}

const score = (step: StepRecord) => (step.score === null ? '' : String(Number(step.score.toFixed(2))));

function stepHeading(step: StepRecord): string {
  const scored = step.score === null ? '' : ` (score ${score(step)})`;
  return `### Step ${step.step_id + 1} — ${ORIGIN_LABEL[step.origin] ?? step.origin}${scored}`;
}

export function runToMarkdown(records: readonly RunRecord[], options: MarkdownOptions = {}): string {
  const first = records[0];
  if (!first) {
    return '';
  }
  const out: string[] = [`# SpecReason run ${first.runId}`, ''];
  if (options.simulated) {
    out.push(`> **${SIMULATED_LABEL}**: texts and timings are synthetic.`, '');
  }
  out.push(`**Problem:** ${first.problem.text}`, '');
  if (records.length > 1) {
    const c = compareRecords(records);
    out.push(
      '## Comparison',
      '',
      `- Speedup: ${formatSpeedup(c.speedup)} (base-only wall time ÷ SpecReason wall time)`,
      `- Answers: ${c.answersAgree === undefined ? 'not all known' : c.answersAgree ? 'agree' : 'differ'}`,
      '',
    );
  }
  for (const record of records) {
    const s = record.summary;
    const c = record.config;
    const models = [
      record.models.base !== undefined && `base \`${record.models.base}\``,
      record.models.small !== undefined && `small \`${record.models.small}\``,
    ].filter(Boolean);
    out.push(`## ${MODE_LABEL[record.mode]}`, '');
    if (models.length > 0) {
      out.push(`- Models: ${models.join(', ')}`);
    }
    if (record.mode === 'specreason') {
      out.push(
        `- Settings: threshold ${c.threshold} (${c.scoreMethod}), token budget ${c.tokenBudget}, first ${c.firstNBaseSteps} steps by the base model`,
      );
    } else {
      out.push(`- Settings: token budget ${c.tokenBudget}`);
    }
    out.push(`- Stop reason: ${s.stopReason}${s.error ? ` (${s.error.message})` : ''}`);
    out.push(`- Answer: ${s.answer !== undefined ? `$\\boxed{${s.answer}}$` : '(none)'}`);
    out.push(
      `- Wall time: ${(s.wallMs / 1000).toFixed(2)} s; steps: ${s.steps}; tokens small ${s.small.tokens}, base ${s.base.tokens}`,
    );
    if (s.acceptanceRate !== undefined) {
      out.push(`- Acceptance: ${(s.acceptanceRate * 100).toFixed(1)} % (${s.accepted}/${s.accepted + s.rejected})`);
    }
    out.push('');
    if (record.mode === 'specreason' && record.steps.length > 0) {
      out.push('| Step | Origin | Score | Tokens | ms |', '|---:|---|---:|---:|---:|');
      for (const step of record.steps) {
        out.push(
          `| ${step.step_id + 1} | ${ORIGIN_LABEL[step.origin] ?? step.origin} | ${score(step)} | ${step.final_num_output_tokens} | ${Math.round(step.timings.stepMs)} |`,
        );
      }
      out.push('');
    }
    for (const step of record.steps) {
      // Each step its own paragraphs, under the heading the panel gives it.
      out.push(record.mode === 'specreason' ? stepHeading(step) : '### Reasoning', '', step.step_str.trim(), '');
    }
  }
  return out.join('\n');
}
