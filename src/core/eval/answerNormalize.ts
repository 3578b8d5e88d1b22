// Final-answer extraction and normalisation for grading. Pure string work; the symbolic part of the
// grader lives in grader.ts.

export type ExtractionRule = 'boxed' | 'fbox' | 'answer-line' | 'answer-is' | 'final-letter' | 'whole' | 'none';

export interface Extracted {
  /** The raw answer text as found (before normalisation); undefined when nothing was found. */
  text?: string;
  how: ExtractionRule;
}

const THINK_END = '</think>';

/** Between two boxes of one answer: commas, `and`, spacing, math delimiters (`\boxed{1} and \boxed{2}`). */
const BOX_JOINER = /^(?:[\s,;$]|\\[()[\]]|\\quad|\\qquad|\\[,;:!]|\\text\{\s*(?:and|or)\s*\}|\band\b|\bor\b)*$/;

/**
 * Content of the last `\boxed{…}` or `\fbox{…}` (braces balanced), also `\boxed 5`; boxes in a row joined
 * by nothing but commas, `and` or spacing (`\boxed{1} and \boxed{2}`) are one answer, listed: `1, 2`.
 */
function lastBoxed(text: string): { text: string; how: 'boxed' | 'fbox' } | undefined {
  const re = /\\(boxed|fbox)\b/g;
  let found: { text: string; how: 'boxed' | 'fbox' } | undefined;
  let run: string[] = [];
  let runEnd = -1;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let i = m.index + m[0].length;
    while (text[i] === ' ') {
      i++;
    }
    const how = m[1] as 'boxed' | 'fbox';
    if (text[i] === '{') {
      const inner = balanced(text, i);
      if (inner !== undefined) {
        run = runEnd >= 0 && BOX_JOINER.test(text.slice(runEnd, m.index)) ? [...run, inner] : [inner];
        runEnd = i + inner.length + 2;
        found = { text: run.join(', '), how };
      }
    } else if (i > m.index + m[0].length) {
      // `\boxed 5`: one token up to whitespace, `$` or end.
      const token = /^[^\s$]+/.exec(text.slice(i));
      if (token) {
        found = { text: token[0], how };
      }
    }
  }
  return found;
}

/** The text inside the brace group that opens at `open`; undefined when it never closes. */
export function balanced(text: string, open: number): string | undefined {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      j++; // an escaped brace does not count
    } else if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        return text.slice(open + 1, j);
      }
    }
  }
  return undefined;
}

/** "The final answer is X." / "the answer is X" (no box, no colon): X up to the end of its sentence. */
function answerIsStatement(text: string): string | undefined {
  const re = /\b(?:final\s+)?answer\s+is\s*[:：]?\s*(?:\*\*)?\s*(.+)/gi;
  let found: string | undefined;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    // The sentence ends at a period, `;` or `, because…` outside math; a decimal point is not an end.
    const rest = m[1]!.split(/\r?\n/)[0]!;
    const cut = sentenceEnd(rest);
    const candidate = rest.slice(0, cut).replace(/\*\*$/, '').trim();
    if (candidate) {
      found = candidate;
    }
    re.lastIndex = m.index + m[0].length - m[1]!.length + Math.max(cut, 1);
  }
  return found;
}

/** Where the sentence that starts `rest` ends (outside `$…$`): `. ` / end, `;`, `, because|since|as|which`. */
function sentenceEnd(rest: string): number {
  let inMath = false;
  for (let i = 0; i < rest.length; i++) {
    const c = rest[i]!;
    if (c === '\\' && rest[i + 1] === '$') {
      i++;
    } else if (c === '$') {
      inMath = !inMath;
    } else if (!inMath) {
      if ((c === '.' || c === '。') && !/\d/.test(rest[i + 1] ?? '')) {
        return i;
      }
      if (
        c === ';' ||
        (c === ',' && /^,\s*(?:because|since|as|which|so|but|and\s+(?:the|this|that))\b/i.test(rest.slice(i)))
      ) {
        return i;
      }
    }
  }
  return rest.length;
}

/** The last "Answer: X" line. */
function answerLine(text: string): string | undefined {
  const lines = text.split(/\r?\n/);
  for (let i = lines.length - 1; i >= 0; i--) {
    const m = /(?:^|\*\*|\b)(?:final\s+)?answer\s*(?:\*\*)?\s*[:：]\s*(?:\*\*)?\s*(.+?)\s*$/i.exec(lines[i]!);
    if (m && m[1]!.trim()) {
      const rest = m[1]!.replace(/\*\*$/, '').trim();
      // "Final Answer: The final answer is $X$. I hope it is correct.": X.
      return answerIsStatement(rest) ?? rest.slice(0, sentenceEnd(rest)).trim();
    }
  }
  return undefined;
}

/** Multiple choice without a box: "answer is (b)" (the last such statement) beats a bare "(D)" mentioned later. */
function choiceStatement(text: string): string | undefined {
  const stated = [...text.matchAll(/answer\s+is\s*[:：]?\s*(?:option\s+|choice\s+)?(?:\*\*)?\s*\(?([A-Da-d])\b\)?/gi)];
  const last = stated[stated.length - 1];
  if (last) {
    return last[1]!.toUpperCase();
  }
  const letters = [...text.matchAll(/\(([A-Da-d])\)/g)];
  return letters[letters.length - 1]?.[1]!.toUpperCase();
}

/** The final answer of one part of a response (the part after `</think>`, or the whole). */
function findAnswer(text: string, multipleChoice: boolean): Extracted {
  const boxed = lastBoxed(text);
  if (boxed) {
    return boxed;
  }
  const line = answerLine(text);
  if (line !== undefined) {
    return { text: line, how: 'answer-line' };
  }
  if (multipleChoice) {
    const letter = choiceStatement(text);
    if (letter !== undefined) {
      return { text: letter, how: 'final-letter' };
    }
  }
  const statement = answerIsStatement(text);
  if (statement !== undefined) {
    return { text: statement, how: 'answer-is' };
  }
  const whole = text.trim();
  if (isLoneAnswer(whole)) {
    return { text: whole, how: 'whole' };
  }
  return { how: 'none' };
}

/** A response that is nothing but an answer (`$[0,1)$`, `2\sqrt{2}`): one short line, no words. */
function isLoneAnswer(text: string): boolean {
  if (!text || text.length > 100 || /\n/.test(text)) {
    return false;
  }
  const bare = text.replace(/\\(?:text|mathrm|textbf|mbox)\s*\{[^{}]*\}/g, '').replace(/\\[a-zA-Z]+/g, '');
  return !/[a-zA-Z]{3,}/.test(bare);
}

/**
 * The final answer of a model response. After `</think>`, the answer part decides first (its box, its
 * "Answer:" line, its "the answer is X"): a final answer stated after the thinking beats a boxed draft
 * inside it; only when the answer part states none is the thinking searched. In each part: the last
 * `\boxed{…}`/`\fbox{…}`, else the last "Answer:" line, else (multiple choice) the last "answer is (X)"
 * and then the last "(X)", else the last "the answer is X", else the whole response when it is nothing but
 * an answer (one short line without words).
 */
export function extractAnswer(response: string, multipleChoice = false): Extracted {
  const end = response.lastIndexOf(THINK_END);
  if (end >= 0) {
    const after = findAnswer(response.slice(end + THINK_END.length), multipleChoice);
    if (after.text !== undefined) {
      return after;
    }
  }
  return findAnswer(response, multipleChoice);
}

const UNIT_WORDS =
  'cm|centimet(?:er|re)s?|mm|m|km|meters?|metres?|inch(?:es)?|in|feet|foot|ft|yards?|miles?|mph|seconds?|sec|s|minutes?|min|hours?|hrs?|days?|weeks?|months?|years?|grams?|g|kg|pounds?|lbs?|ounces?|oz|dollars?|cents?|units?|sq|square|cubic|degrees?|liters?|litres?|gallons?|people|students|ways|points?|coins?|pages?|marbles?|boxes?|books?|times';
const TRAILING_UNITS = new RegExp(`(?<=[\\d}).])\\s*(?:(?:${UNIT_WORDS})(?:\\^?\\{?[23]\\}?)?\\s*)+$`, 'i');

/** Remove `\text{…}`-like wrappers: `\text{ cm}` after a number is a unit and goes; otherwise keep the words. */
function unwrapText(s: string): string {
  const wrapper = /\\(?:text|textbf|textit|textrm|mathrm|mathbf|mbox|operatorname)\s*\{/g;
  let out = '';
  let last = 0;
  for (let m = wrapper.exec(s); m; m = wrapper.exec(s)) {
    const open = m.index + m[0].length - 1;
    const inner = balanced(s, open);
    if (inner === undefined) {
      break;
    }
    out += s.slice(last, m.index) + inner;
    last = open + inner.length + 2;
    wrapper.lastIndex = last;
  }
  return out + s.slice(last);
}

/** Strip math delimiters around the whole answer: `$…$`, `$$…$$`, `\(…\)`, `\[…\]`. */
function stripDelimiters(s: string): string {
  let t = s.trim();
  for (;;) {
    const m = /^\$\$([\s\S]*)\$\$$|^\$([\s\S]*)\$$|^\\\(([\s\S]*)\\\)$|^\\\[([\s\S]*)\\\]$/.exec(t);
    if (!m) {
      return t;
    }
    t = (m[1] ?? m[2] ?? m[3] ?? m[4] ?? '').trim();
  }
}

/**
 * Normalise an answer for comparison. What goes: math delimiters, `\left`/`\right`, `\displaystyle`,
 * spacing commands, `\text{…}` wrappers (and unit words after a number), `^\circ`, `\%`, `\$`,
 * thousands separators, a trailing period, a leading `x =` / `x \in`. `\dfrac`/`\tfrac` become
 * `\frac`, `\frac12` becomes `\frac{1}{2}`, `\sqrt3` becomes `\sqrt{3}`. Whitespace is removed.
 */
export function normalizeAnswer(raw: string): string {
  let s = stripDelimiters(raw);
  s = s.replace(/\\(?:left|right|bigl|bigr|Bigl|Bigr|big|Big)(?![a-zA-Z])\s*/g, '');
  s = s.replace(/\\displaystyle/g, '');
  s = s.replace(/\\[dt]frac/g, '\\frac');
  // MATH's explicit thousands separators (`10{,}080`, `10,\!080`): never a list, also inside brackets.
  s = s.replace(/(\d)(?:\{,\}|,\\!\s*)(?=\d{3}(?!\d))/g, '$1');
  s = s.replace(/\{,\}/g, ',');
  // Thousands separators: `1,000` `1\,000` `1{,}000` (before spacing commands go, and only in digit groups of 3).
  s = s.replace(/(\d)(?:\\,|,|\\!|\s)(?=\d{3}(?!\d))/g, (whole, d: string, offset: number, all: string) =>
    isThousandsContext(all, offset) ? d : whole,
  );
  s = s.replace(/(?<!\\)\\(?:[,;:!>]|quad|qquad| )|~/g, ' '); // not the `\\` of a matrix row
  s = s.replace(/\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|°|\\degree/g, '');
  s = s.replace(/\\%|%|\s*\b(?:percent(?:age)?|pct)\b/g, '');
  s = s.replace(/\\\$|\$/g, '');
  s = unwrapText(s);
  s = s.replace(TRAILING_UNITS, '');
  s = s.replace(/\s*(?:\\text\{\s*\}|\s)+$/, '');
  // A list of solutions in words: `1 or 2`, `x=1 \text{ and } x=2`, `19, 46, and 82` become comma lists.
  s = s.replace(/\s*,?\s*\b(?:or|and)\s+(?=\S)/g, (m, offset: number) => (offset > 0 ? ',' : m));
  s = s.replace(/[.。;]+$/, '').trim();
  // `x = 5`, `y=2x+1` stays an equation only when more than one `=` or none: one leading symbol goes.
  const assignment = /^\s*[a-zA-Z](?:_\{?\w+\}?)?\s*(?:=|\\in)\s*(?![=])/.exec(s);
  if (assignment && !/=/.test(s.slice(assignment[0].length))) {
    s = s.slice(assignment[0].length);
  }
  s = s.replace(/\\frac\s*(\d)\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*\{([^{}]*)\}\s*(\d)/g, '\\frac{$1}{$2}');
  s = s.replace(/\\frac\s*(\d)\s*\{/g, '\\frac{$1}{');
  s = s.replace(/\\sqrt\s*(\d+|[a-zA-Z])/g, '\\sqrt{$1}');
  s = s.replace(/\\infinity|∞/g, '\\infty');
  s = s.replace(/^\((\\begin\{([pbvB]?matrix)\}.*\\end\{\2\})\)$/, '$1');
  s = sameLabels(s);
  // Whitespace goes, except between a command and a letter (`\cot x` must not become `\cotx`).
  s = s
    .replace(/(?<=\\[a-zA-Z]+)\s+(?=[a-zA-Z])/g, '\u0000')
    .replace(/\s+/g, '')
    .replace(/\u0000/g, ' ');
  return s;
}

/** `x=1,x=2` (every item of a top-level list labelled with the same single letter): `1,2`. */
function sameLabels(s: string): string {
  const items = splitTopLevel(s);
  if (items.length < 2) {
    return s;
  }
  const label = /^\s*([a-zA-Z])\s*=/.exec(items[0]!)?.[1];
  if (!label || !items.every((item) => new RegExp(`^\\s*${label}\\s*=(?!=)`).test(item))) {
    return s;
  }
  return items.map((item) => item.replace(/^\s*[a-zA-Z]\s*=\s*/, '')).join(',');
}

/** A comma followed by exactly three digits is a thousands separator only when the whole number looks like one. */
function isThousandsContext(all: string, offset: number): boolean {
  if (bracketDepth(all, offset) > 0) {
    return false; // `(12,102)` is an interval or a pair, `\{1,000\}`… a set: never a separator inside brackets
  }
  let start = offset;
  while (start > 0 && /[\d,\\ {}]/.test(all[start - 1]!)) {
    start--;
  }
  let end = offset + 1;
  while (end < all.length && /[\d,\\ {}.]/.test(all[end]!)) {
    end++;
  }
  const token = all.slice(start, end).replace(/\\,|\\!|\{,\}|\s/g, ',');
  return /^-?\d{1,3}(,\d{3})+(\.\d+)?$/.test(token.replace(/^[^\d-]+/, ''));
}

/** How many `(`, `[` and `\{` are open at `offset` (LaTeX argument braces do not count). */
function bracketDepth(s: string, offset: number): number {
  let depth = 0;
  for (let i = 0; i < offset; i++) {
    const c = s[i]!;
    if (c === '\\') {
      depth += s[i + 1] === '{' ? 1 : s[i + 1] === '}' ? -1 : 0;
      i++;
    } else if (c === '(' || c === '[') {
      depth++;
    } else if (c === ')' || c === ']') {
      depth--;
    }
  }
  return depth;
}

/** A plain number: integer, decimal, `a/b`, `\frac{a}{b}`, with optional sign; undefined otherwise. */
export interface ParsedNumber {
  value: number;
  /** Exact integer value when the text is an integer (big integers compared exactly). */
  integer?: bigint;
  /** Digits after the decimal point of a decimal that is not an integer (`38.57`: 2); undefined when exact. */
  decimals?: number;
}

export function parseNumber(s: string): ParsedNumber | undefined {
  let sign = 1;
  let t = s;
  while (t.startsWith('-') || t.startsWith('+')) {
    if (t[0] === '-') {
      sign = -sign;
    }
    t = t.slice(1);
  }
  if (/^\d+$/.test(t)) {
    const integer = BigInt(t) * BigInt(sign);
    return { value: Number(integer), integer };
  }
  if (/^(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) {
    const value = sign * Number(t);
    if (Number.isInteger(value) && Math.abs(value) < 2 ** 53) {
      return { value, integer: BigInt(value) };
    }
    const m = /\.(\d*)(?:e([-+]?\d+))?$/i.exec(t);
    const decimals = m ? Math.max(0, m[1]!.length - Number(m[2] ?? 0)) : undefined;
    return decimals ? { value, decimals } : { value };
  }
  const fraction =
    /^\\frac\{(-?\d+(?:\.\d+)?)\}\{(-?\d+(?:\.\d+)?)\}$/.exec(t) ?? /^(\d+(?:\.\d+)?)\/(\d+(?:\.\d+)?)$/.exec(t);
  if (fraction) {
    const d = Number(fraction[2]);
    if (d === 0) {
      return undefined;
    }
    return { value: (sign * Number(fraction[1])) / d };
  }
  return undefined;
}

/** How the character at i moves the bracket depth, and how many characters it spans (escaped braces are braces). */
function bracketAt(s: string, i: number): { delta: number; width: number } {
  const c = s[i]!;
  if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
    return { delta: s[i + 1] === '{' ? 1 : -1, width: 2 };
  }
  return { delta: '([{'.includes(c) ? 1 : ')]}'.includes(c) ? -1 : 0, width: 1 };
}

/** Split at top-level commas (outside any brackets or braces). */
export function splitTopLevel(s: string, separator = ','): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const { delta, width } = bracketAt(s, i);
    if (delta !== 0) {
      depth += delta;
      i += width - 1;
    } else if (depth === 0 && s.startsWith(separator, i)) {
      parts.push(s.slice(start, i));
      start = i + separator.length;
      i += separator.length - 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

/** A bracketed or listed answer: interval, tuple, set, matrix or plain comma list. */
export type Structure =
  | { kind: 'interval'; open: '(' | '['; close: ')' | ']'; items: string[] }
  | { kind: 'tuple'; items: string[] }
  | { kind: 'set'; items: string[] }
  | { kind: 'matrix'; items: string[][] }
  | { kind: 'union'; items: string[] };

/** True when the opening bracket at 0 closes at the last character. */
function wraps(s: string): boolean {
  let depth = 0;
  for (let i = 0; i < s.length; i++) {
    const { delta, width } = bracketAt(s, i);
    depth += delta;
    i += width - 1;
    if (depth === 0 && i < s.length - 1) {
      return false;
    }
  }
  return true;
}

/** The structure of a normalised answer, or undefined for a single value. */
export function parseStructure(s: string): Structure | undefined {
  const union = splitTopLevel(s, '\\cup');
  if (union.length > 1) {
    return { kind: 'union', items: union };
  }
  const matrix = /^\\begin\{([pbvB]?matrix|array)\}(?:\{[^}]*\})?(.*)\\end\{\1\}$/.exec(s);
  if (matrix) {
    return {
      kind: 'matrix',
      items: matrix[2]!
        .split('\\\\')
        .filter((row) => row !== '')
        .map((row) => row.split('&')),
    };
  }
  if (s.startsWith('\\{') && s.endsWith('\\}') && wraps(s)) {
    return { kind: 'set', items: splitTopLevel(s.slice(2, -2)).filter((x) => x !== '') };
  }
  if (s.startsWith('{') && s.endsWith('}') && wraps(s) && splitTopLevel(s.slice(1, -1)).length > 1) {
    return { kind: 'set', items: splitTopLevel(s.slice(1, -1)).filter((x) => x !== '') }; // `{1,3}` written without `\`
  }
  const first = s[0];
  const last = s[s.length - 1];
  if ((first === '(' || first === '[') && (last === ')' || last === ']') && s.length >= 2 && wraps(s)) {
    const items = splitTopLevel(s.slice(1, -1));
    if (items.length === 2 && (first !== last.replace(')', '(').replace(']', '[') || /\\infty/.test(s))) {
      return { kind: 'interval', open: first, close: last, items };
    }
    if (items.length >= 2) {
      return first === '[' && last === ']' && items.length === 2
        ? { kind: 'interval', open: '[', close: ']', items }
        : { kind: 'tuple', items };
    }
    return undefined;
  }
  const list = splitTopLevel(s);
  if (list.length > 1 && list.every((x) => x !== '')) {
    return { kind: 'set', items: list };
  }
  return undefined;
}

/** The letter of a multiple-choice answer (`B`, `(B)`, `\text{(B)}`, `B) text`, `Option B`); undefined otherwise. */
export function choiceLetter(raw: string): string | undefined {
  const s = normalizeAnswer(raw).replace(/^(?:option|choice|answer)[:]?/i, '');
  const m = /^\(?([A-Da-d])\)?(?:[.:)]|$)/.exec(s);
  return m ? m[1]!.toUpperCase() : undefined;
}
