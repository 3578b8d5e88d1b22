// What a problem's text may be, for the CLI and the extension alike: not empty, not binary, and not
// longer than a limit (a problem is sent with every request of a run; a whole file pasted by mistake
// would be sent hundreds of times). The limit is the setting specreason.maxProblemLength / --max-problem-length.

/** Why `text` cannot be a problem, or undefined. `source` names where it came from ("--problem-file p.md"). */
export function problemTextProblem(text: string, maxLength: number, source: string): string | undefined {
  if (!text.trim()) {
    return `${source} is empty`;
  }
  if (text.includes('\u0000')) {
    return `${source} contains NUL bytes: it looks like a binary file, not a problem's text`;
  }
  if (text.length > maxLength) {
    return `${source} has ${text.length} characters; the limit is ${maxLength} (raise it with --max-problem-length or the setting specreason.maxProblemLength)`;
  }
  return undefined;
}

/** Bytes of a problem file as text; throws when they are not UTF-8. A byte-order mark is dropped. */
export function decodeProblemBytes(bytes: Uint8Array, source: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new Error(`${source} is not UTF-8 text (a binary file?)`);
  }
}
