// The problem as the header shows it: where it came from when nothing was selected (the note), its text
// and choices, and "Go to source" back to its document when the host knows where that is.

import type { Problem } from '../core/engine/prompts';
import type { FromWebview, PanelState } from '../shared/protocol';
import { h } from './dom';

function problemNodes(problem: Problem): Node[] {
  const nodes: Node[] = [h('p', { className: 'problem-text' }, problem.text)];
  if (problem.choices) {
    const c = problem.choices;
    nodes.push(
      h(
        'ol',
        { className: 'choices' },
        ...(['A', 'B', 'C', 'D'] as const).map((k) => h('li', {}, h('b', {}, `(${k}) `), c[k])),
      ),
    );
  }
  return nodes;
}

export class ProblemHeader {
  readonly element = h('div', { className: 'problem' });
  private _key?: string;

  constructor(private readonly _post: (message: FromWebview) => void) {}

  update(state: Pick<PanelState, 'problem' | 'problemNote' | 'problemSource'>): void {
    const key = JSON.stringify([state.problem, state.problemNote, !!state.problemSource]);
    if (key === this._key) {
      return;
    }
    this._key = key;
    const goTo =
      state.problemSource &&
      h(
        'button',
        {
          id: 'btn-go-to-source',
          className: 'secondary small',
          title: "Show the problem's text in its editor",
          attrs: { type: 'button' },
        },
        'Go to source',
      );
    goTo?.addEventListener('click', () => this._post({ type: 'problem/goToSource' }));
    this.element.replaceChildren(
      ...(state.problemNote || goTo
        ? [
            h(
              'p',
              { className: 'problem-origin' },
              state.problemNote &&
                h('span', { id: 'problem-note', className: 'muted', attrs: { role: 'note' } }, state.problemNote),
              goTo,
            ),
          ]
        : []),
      ...problemNodes(state.problem),
    );
  }
}
