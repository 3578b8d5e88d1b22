// Final-answer handling shared by the engine, the CLI and the panel.

/** Markers that end a run (reference: "boxed", "Answer:", "ANSWER:" anywhere in a step). */
export const FINISH_MARKERS = ['boxed', 'Answer:', 'ANSWER:'] as const;

export function hasFinishMarker(step: string): boolean {
  return FINISH_MARKERS.some((marker) => step.includes(marker));
}

/** Content of the last \boxed{…} in the text, braces balanced; undefined when there is none. */
export function extractBoxed(text: string): string | undefined {
  const start = text.lastIndexOf('\\boxed');
  if (start < 0) {
    return undefined;
  }
  let i = start + '\\boxed'.length;
  while (text[i] === ' ') {
    i++;
  }
  if (text[i] !== '{') {
    return undefined;
  }
  let depth = 0;
  for (let j = i; j < text.length; j++) {
    const c = text[j];
    if (c === '{') {
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        return text.slice(i + 1, j);
      }
    }
  }
  return undefined;
}

/** Answers compared after removing spaces and a few LaTeX spellings that mean the same thing. */
export function answersAgree(a: string | undefined, b: string | undefined): boolean | undefined {
  if (a === undefined || b === undefined) {
    return undefined;
  }
  const norm = (s: string) =>
    s
      .replace(/\\(left|right|!|,|;|\s)/g, '')
      .replace(/\\[dt]frac/g, '\\frac')
      .replace(/\s+/g, '');
  return norm(a) === norm(b);
}
