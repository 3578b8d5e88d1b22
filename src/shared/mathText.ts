// Splits model output into text and TeX segments for the panel. Pure and DOM-free, so it is unit
// tested under Node. Delimiters follow what reasoning models emit: $$…$$ and \[…\] (display),
// $…$ and \(…\) (inline), plus a bare \boxed{…} outside math. Anything unmatched stays text.

export interface MathSegment {
  kind: 'text' | 'math';
  value: string;
  display: boolean;
}

/**
 * Finds closing delimiters. Remembers where a search failed: no closer after p means none after any
 * later q either, so a text full of unmatched openers stays linear instead of quadratic.
 */
class Closers {
  private readonly _failedFrom = new Map<string, number>();
  private _braces?: Map<number, number>;

  constructor(private readonly _text: string) {}

  /** Index of `close` at or after `from`, stepping over backslash escapes; -1 if none. */
  find(from: number, close: string): number {
    const failed = this._failedFrom.get(close);
    if (failed !== undefined && from >= failed) {
      return -1;
    }
    const text = this._text;
    for (let i = from; i < text.length; i++) {
      if (text.startsWith(close, i)) {
        return i;
      }
      if (text[i] === '\\') {
        i++;
      }
    }
    this._failedFrom.set(close, from);
    return -1;
  }

  /**
   * Closing `$` of inline math opened at `open`, with pandoc's rules so prices stay text
   * ("$5 and $10"): the opener is followed by a non-space, the closer preceded by a non-space and
   * not followed by a digit. Only the next `$` is considered, and never across a blank line.
   */
  inlineDollar(open: number): number {
    const text = this._text;
    const first = text[open + 1];
    if (first === undefined || /\s/.test(first)) {
      return -1;
    }
    for (let i = open + 1; i < text.length; i++) {
      const c = text[i];
      if (c === '\\') {
        i++;
        continue;
      }
      if (c === '\n' && text[i + 1] === '\n') {
        return -1;
      }
      if (c === '$') {
        return !/\s/.test(text[i - 1] ?? ' ') && !/[0-9]/.test(text[i + 1] ?? '') ? i : -1;
      }
    }
    return -1;
  }

  /** End (exclusive) of `\boxed{…}` starting at `start` when its braces balance; -1 otherwise. */
  boxedEnd(start: number): number {
    let i = start + '\\boxed'.length;
    while (this._text[i] === ' ') {
      i++;
    }
    if (this._text[i] !== '{') {
      return -1;
    }
    const close = this.braces().get(i);
    return close === undefined ? -1 : close + 1;
  }

  /** Matching `}` of every balanced `{`, in one pass (escaped braces do not count). */
  private braces(): Map<number, number> {
    if (!this._braces) {
      this._braces = new Map();
      const open: number[] = [];
      const text = this._text;
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c === '\\') {
          i++;
        } else if (c === '{') {
          open.push(i);
        } else if (c === '}') {
          const o = open.pop();
          if (o !== undefined) {
            this._braces.set(o, i);
          }
        }
      }
    }
    return this._braces;
  }
}

export function splitMath(text: string): MathSegment[] {
  const segments: MathSegment[] = [];
  let buffer = '';
  const flushText = () => {
    if (buffer) {
      segments.push({ kind: 'text', value: buffer, display: false });
      buffer = '';
    }
  };
  const pushMath = (value: string, display: boolean) => {
    flushText();
    segments.push({ kind: 'math', value, display });
  };

  const closers = new Closers(text);
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    const next = text[i + 1];
    if (c === '\\' && (next === '[' || next === '(')) {
      const close = closers.find(i + 2, next === '[' ? '\\]' : '\\)');
      if (close >= 0) {
        pushMath(text.slice(i + 2, close), next === '[');
        i = close + 2;
        continue;
      }
    } else if (c === '\\' && text.startsWith('\\boxed', i)) {
      const end = closers.boxedEnd(i);
      if (end >= 0) {
        pushMath(text.slice(i, end), false);
        i = end;
        continue;
      }
    } else if (c === '$' && next === '$') {
      const close = closers.find(i + 2, '$$');
      if (close >= 0 && text.slice(i + 2, close).trim() !== '') {
        pushMath(text.slice(i + 2, close), true);
        i = close + 2;
        continue;
      }
      // An unmatched `$$` must not be re-read as two inline openers.
      buffer += '$$';
      i += 2;
      continue;
    } else if (c === '$') {
      const close = closers.inlineDollar(i);
      if (close >= 0) {
        pushMath(text.slice(i + 1, close), false);
        i = close + 1;
        continue;
      }
    }
    // Plain character, or a backslash pair (`\$`, `\\`) kept together so its second half opens nothing.
    const width = c === '\\' && next !== undefined ? 2 : 1;
    buffer += text.slice(i, i + width);
    i += width;
  }
  flushText();
  return segments;
}
