// Model text → DOM: paragraphs of text nodes with KaTeX-typeset math. KaTeX renders straight into
// elements (styles through the CSSOM), which the strict CSP allows; its HTML-string path would not.

import katex from 'katex';
import { splitMath } from '../shared/mathText';
import { h } from './dom';

/** Longer TeX is shown as text: the cheapest defence against pathological ("bomb") input. */
const MAX_TEX_CHARS = 2000;
/**
 * Deeper typeset trees are shown as text: Chromium's renderer crashes laying out about a thousand
 * nested elements, which 150 nested \frac (1.5 kB of TeX) already produce. Real formulas stay far below.
 */
const MAX_DOM_DEPTH = 400;
/** KaTeX adds at most about three levels per character of TeX, so shorter input needs no depth walk. */
const DEPTH_CHECK_FROM_CHARS = MAX_DOM_DEPTH / 3;
/** Past this many formulas in one block the rest stay text, so a flood of `$x$` cannot stall a frame. */
const MAX_FORMULAS_PER_BLOCK = 300;

// throwOnError is on because KaTeX's inline error rendering sets a `style` attribute, which the
// strict CSP blocks (and reports); a parse error shows the TeX source instead.
const KATEX_OPTIONS = {
  throwOnError: true,
  trust: false,
  strict: 'ignore',
  maxSize: 10,
  maxExpand: 200,
  output: 'htmlAndMathml',
} as const;

function rawTex(tex: string, display: boolean, why: string, failed = false): HTMLElement {
  return h(display ? 'div' : 'span', { className: failed ? 'math-raw math-error' : 'math-raw', title: why }, tex);
}

function treeDepth(root: Element): number {
  let max = 0;
  const stack: Array<[Element, number]> = [[root, 0]];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const [node, depth] = item;
    max = Math.max(max, depth);
    for (const child of node.children) {
      stack.push([child, depth + 1]);
    }
  }
  return max;
}

/** One formula as DOM nodes; falls back to the TeX source as text. */
export function renderTex(tex: string, display: boolean): HTMLElement {
  if (tex.length > MAX_TEX_CHARS) {
    return rawTex(tex, display, 'Too long to typeset');
  }
  const host = h(display ? 'div' : 'span', { className: display ? 'math math-display' : 'math' });
  try {
    katex.render(tex, host, { ...KATEX_OPTIONS, displayMode: display });
  } catch (error) {
    return rawTex(tex, display, error instanceof Error ? error.message : 'Not typeset', true);
  }
  return tex.length >= DEPTH_CHECK_FROM_CHARS && treeDepth(host) > MAX_DOM_DEPTH
    ? rawTex(tex, display, 'Too deeply nested to typeset')
    : host;
}

/** Text split into paragraphs on blank lines; with `typeset`, math is rendered, else left as text. */
export function renderRichText(text: string, typeset = true): DocumentFragment {
  const fragment = document.createDocumentFragment();
  let paragraph = h('p');
  const endParagraph = () => {
    const last = paragraph.lastChild;
    if (last instanceof Text) {
      last.data = last.data.replace(/\s+$/, '');
    }
    if (paragraph.childNodes.length > 0) {
      fragment.appendChild(paragraph);
    }
    paragraph = h('p');
  };
  const appendText = (value: string) => {
    // Blank lines end a paragraph; single newlines stay (the CSS keeps them with pre-wrap).
    const parts = value.split(/\n[ \t]*\n\s*/);
    parts.forEach((part, index) => {
      if (index > 0) {
        endParagraph();
      }
      const trimmed = paragraph.childNodes.length === 0 ? part.replace(/^\s+/, '') : part;
      if (trimmed) {
        paragraph.appendChild(document.createTextNode(trimmed));
      }
    });
  };

  let formulas = 0;
  for (const segment of typeset ? splitMath(text) : [{ kind: 'text' as const, value: text, display: false }]) {
    if (segment.kind === 'text') {
      appendText(segment.value);
    } else if (formulas++ < MAX_FORMULAS_PER_BLOCK) {
      paragraph.appendChild(renderTex(segment.value, segment.display));
    } else {
      appendText(segment.display ? `$$${segment.value}$$` : `$${segment.value}$`);
    }
  }
  endParagraph();
  return fragment;
}
