// The reasoning panel's tab title: which view, the start of the problem, and the answer once there is one,
// so several tabs can be told apart ("Solve: A rectangle has a perimeter of… → 56").

import type { PanelState } from './protocol';

const PROBLEM_CHARS = 32;
const ANSWER_CHARS = 16;

/** The first words of a text on one line, cut at a word boundary with an ellipsis when longer than `max`. */
export function excerpt(text: string, max: number): string {
  const line = text
    .replace(/^\s*#+\s+/gm, '') // Markdown heading markers say nothing about the problem
    .replace(/\s+/g, ' ')
    .trim();
  if (line.length <= max) {
    return line;
  }
  const cut = line.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.;:]+$/, '')}…`;
}

export function panelTitle(state: Pick<PanelState, 'kind' | 'problem' | 'runs'>): string {
  const kind = state.kind === 'compare' ? 'Compare' : 'Solve';
  const problem = excerpt(state.problem.text, PROBLEM_CHARS);
  const head = problem ? `${kind}: ${problem}` : `SpecReason ${kind}`;
  const main = state.runs.find((r) => r.mode === 'specreason') ?? state.runs[0];
  if (!main) {
    return head;
  }
  if (state.runs.some((r) => r.status === 'running')) {
    return `${head} (running)`;
  }
  const answer = main.summary?.answer;
  return answer !== undefined ? `${head} → ${excerpt(answer, ANSWER_CHARS)}` : `${head} (${main.status})`;
}
