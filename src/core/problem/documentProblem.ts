// What Solve sends when nothing is selected: the problem block the cursor is in (or the document's only
// one), a choice when there are several, else the whole document without its front matter, with a note
// the panel shows so the user knows what was sent.

import { findProblemBlocks, type ProblemBlock, type ProblemFileKind } from './problemBlocks';

/** Lines of the document a problem came from (0-based, inclusive). */
export interface LineSpan {
  line: number;
  endLine: number;
}

export type DocumentProblem =
  | { kind: 'block'; text: string; span: LineSpan; note: string }
  /** Several problem blocks and the cursor in none of them: the user picks one. */
  | { kind: 'choose'; blocks: ProblemBlock[] }
  | { kind: 'whole'; text: string; span: LineSpan; note: string };

export const WHOLE_DOCUMENT_NOTE = 'Solving the whole document (no selection)';

/** YAML front matter: `---` on the first line up to the next `---` or `...` line. */
const FRONT_MATTER_END = /^(---|\.\.\.)\s*$/;

export function documentProblem(text: string, kind: ProblemFileKind | undefined, cursorLine: number): DocumentProblem {
  const blocks = kind ? findProblemBlocks(text, kind) : [];
  // The cursor on a block's lines or on the heading/label line just above it picks that block.
  const atCursor = blocks.find((b) => cursorLine >= b.line - 1 && cursorLine <= b.endLine);
  const chosen = atCursor ?? (blocks.length === 1 ? blocks[0] : undefined);
  if (chosen) {
    return {
      kind: 'block',
      text: chosen.text,
      span: { line: chosen.line, endLine: chosen.endLine },
      note: blockNote(chosen),
    };
  }
  if (blocks.length > 1) {
    return { kind: 'choose', blocks };
  }
  const lines = text.split(/\r?\n/);
  const body = kind === 'markdown' ? frontMatterEnd(lines) : 0;
  const span = { line: body, endLine: Math.max(body, lines.length - 1) };
  if (body === 0) {
    return { kind: 'whole', text, span, note: WHOLE_DOCUMENT_NOTE };
  }
  return {
    kind: 'whole',
    text: lines.slice(body).join('\n').trim(),
    span,
    note: `${WHOLE_DOCUMENT_NOTE.replace(')', '; its front matter left out)')}`,
  };
}

/** The note for a problem block the user did not select: which one, and that the rest was left out. */
export function blockNote(block: ProblemBlock): string {
  const name = block.label ? `problem ${block.label}` : 'the problem';
  return `Solving ${name} found in the document (no selection; the rest of the document is not sent)`;
}

/** The first line after the front matter, or 0 when there is none. */
function frontMatterEnd(lines: readonly string[]): number {
  if (!/^---\s*$/.test(lines[0] ?? '')) {
    return 0;
  }
  const close = lines.findIndex((l, i) => i > 0 && FRONT_MATTER_END.test(l));
  return close === -1 ? 0 : close + 1;
}

/**
 * Where a problem's text is now: its recorded lines if they still hold its first line, else the first
 * place that line occurs (the document was edited above it); undefined when it is gone.
 */
export function relocateProblem(documentText: string, span: LineSpan, problemText: string): LineSpan | undefined {
  const first = problemText
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '');
  if (first === undefined) {
    return undefined;
  }
  const lines = documentText.split(/\r?\n/);
  const holds = (at: number, end: number) => lines.slice(at, end + 1).some((l) => l.includes(first));
  if (span.endLine < lines.length && holds(span.line, span.endLine)) {
    return span;
  }
  const at = lines.findIndex((l) => l.includes(first));
  return at === -1 ? undefined : { line: at, endLine: Math.min(lines.length - 1, at + span.endLine - span.line) };
}
