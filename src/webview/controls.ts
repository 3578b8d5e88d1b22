// Controls both panels (reasoning and Evaluate) build the same way.

import { h } from './dom';

/** A button of type "button" (never a form submit) with its tooltip and click handler. */
export function button(
  id: string,
  label: string,
  title: string,
  onClick: () => void,
  className = '',
): HTMLButtonElement {
  const b = h('button', { id: id || undefined, className, title, attrs: { type: 'button' } }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** The badge that labels synthetic output; hidden until the host says the servers are the simulated pair. */
export function simBadge(): HTMLElement {
  return h(
    'span',
    {
      id: 'sim-badge',
      className: 'badge sim-badge',
      hidden: true,
      title: 'The servers are the built-in simulated vLLM pair: texts and timings are synthetic',
    },
    'SIMULATED model pair',
  );
}
