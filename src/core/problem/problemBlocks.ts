// Where the problems are in a file, for the "Solve | Compare" CodeLens: in Markdown, a fenced block marked
// `problem` or the text under a `Problem` heading; in plain text, a paragraph that starts with "Problem:"
// (or "Problem 3."); in a JSONL problem set, every line whose object has a problem field (named as the
// evaluation maps it: problem, question, Question, prompt, input).

import { detectFields } from '../eval/problemSet';

export type ProblemFileKind = 'markdown' | 'plaintext' | 'jsonl';

export interface ProblemBlock {
  /** 0-based line the lens sits above. */
  line: number;
  /** 0-based last line of the block (inclusive). */
  endLine: number;
  text: string;
  /** A short name for the problem when the file gives one (a heading's title, a JSONL id). */
  label?: string;
}

const FENCE = /^\s{0,3}(`{3,}|~{3,})\s*([\w-]*)/;
const HEADING = /^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
const PROBLEM_HEADING = /^problem\b\s*(.*)$/i;
const THEMATIC_BREAK = /^\s{0,3}([-*_])(\s*\1){2,}\s*$/;
const PLAIN_LABEL = /^\s*problem(?:\s+(\d[\w.-]*|[A-Z]))?\s*[:.)]\s*(.*)$/i;

export function findProblemBlocks(text: string, kind: ProblemFileKind): ProblemBlock[] {
  const lines = text.split(/\r?\n/);
  return kind === 'markdown' ? markdownBlocks(lines) : kind === 'jsonl' ? jsonlBlocks(lines) : plainBlocks(lines);
}

/** The kind of problem file a document is, from its language id and name; undefined: no lenses. */
export function problemFileKind(languageId: string, fileName: string): ProblemFileKind | undefined {
  if (languageId === 'jsonl' || /\.jsonl$/i.test(fileName)) {
    return 'jsonl';
  }
  if (languageId === 'markdown') {
    return 'markdown';
  }
  return languageId === 'plaintext' ? 'plaintext' : undefined;
}

function markdownBlocks(lines: string[]): ProblemBlock[] {
  const blocks: ProblemBlock[] = [];
  let section: { title: string; start: number } | undefined;
  const closeSection = (end: number) => {
    if (section) {
      const block = trimmed(lines, section.start, end);
      if (block) {
        blocks.push({ ...block, label: section.title || undefined });
      }
      section = undefined;
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fence = FENCE.exec(line);
    if (fence) {
      const close = lines.findIndex(
        (l, j) => j > i && new RegExp(`^\\s{0,3}${fence[1]![0]}{${fence[1]!.length},}\\s*$`).test(l),
      );
      const end = close === -1 ? lines.length : close;
      if (fence[2]!.toLowerCase() === 'problem') {
        section = undefined; // a marked block under a Problem heading is the problem; the heading adds none
        const body = lines
          .slice(i + 1, end)
          .join('\n')
          .trim();
        if (body) {
          blocks.push({ line: i, endLine: Math.min(end, lines.length - 1), text: body });
        }
      }
      i = end; // headings inside code blocks are code
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading || THEMATIC_BREAK.test(line)) {
      closeSection(i - 1);
      const title = heading ? PROBLEM_HEADING.exec(heading[1]!) : null;
      if (title) {
        section = { title: title[1]!.replace(/^[:.\-—–\s]+/, ''), start: i + 1 };
      }
    }
  }
  closeSection(lines.length - 1);
  return blocks;
}

function plainBlocks(lines: string[]): ProblemBlock[] {
  const blocks: ProblemBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const m = PLAIN_LABEL.exec(lines[i]!);
    if (!m) {
      continue;
    }
    // "Problem 3: text…" starts the block on its own line; a bare "Problem 3:" takes the next paragraph.
    let start = i;
    if (!m[2]!.trim()) {
      start = i + 1;
      while (start < lines.length && !lines[start]!.trim()) {
        start++;
      }
    }
    let end = start;
    while (end + 1 < lines.length && lines[end + 1]!.trim()) {
      end++;
    }
    const body = [start === i ? m[2]! : lines[start]!, ...lines.slice(start + 1, end + 1)].join('\n').trim();
    if (start < lines.length && body) {
      blocks.push({ line: i, endLine: end, text: body, label: m[1] });
    }
    i = end;
  }
  return blocks;
}

function jsonlBlocks(lines: string[]): ProblemBlock[] {
  const blocks: ProblemBlock[] = [];
  lines.forEach((line, i) => {
    if (!line.trim().startsWith('{')) {
      return;
    }
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch {
      return; // a broken line gets no lens; the evaluation reports it
    }
    if (!row || typeof row !== 'object' || Array.isArray(row)) {
      return;
    }
    const fields = row as Record<string, unknown>;
    // The evaluation's own field mapping (AIME, MATH-500, GSM8K, generic), so a lens solves what eval would.
    const map = detectFields(Object.keys(fields));
    const text = fields[map.problem];
    if (typeof text !== 'string' || !text.trim()) {
      return;
    }
    const options = map.options === undefined ? undefined : fields[map.options];
    const choices =
      Array.isArray(options) && options.length === 4 && options.every((o) => typeof o === 'string')
        ? `\n${options.map((o, k) => `(${String.fromCharCode(65 + k)}) ${o}`).join('\n')}`
        : '';
    const id = map.id === undefined ? undefined : fields[map.id];
    blocks.push({
      line: i,
      endLine: i,
      text: text.trim() + choices,
      label: typeof id === 'string' || typeof id === 'number' ? String(id) : undefined,
    });
  });
  return blocks;
}

/** Lines start..end without the blank lines around them; undefined when nothing is left. */
function trimmed(lines: string[], start: number, end: number): Omit<ProblemBlock, 'label'> | undefined {
  while (start <= end && !lines[start]!.trim()) {
    start++;
  }
  while (end >= start && !lines[end]!.trim()) {
    end--;
  }
  return start > end
    ? undefined
    : {
        line: start,
        endLine: end,
        text: lines
          .slice(start, end + 1)
          .join('\n')
          .trim(),
      };
}
