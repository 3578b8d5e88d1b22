// What the CLI writes to a terminal: model text and server messages are untrusted, so escape sequences
// (clear screen, set title, hyperlinks…) are removed; a closed pipe (`--json | head`) ends output quietly.

// CSI (ESC [ … final), OSC (ESC ] … BEL or ESC \), DCS/SOS/PM/APC strings, other two-byte ESC sequences,
// then any C0 control but tab and newline, DEL, and the C1 controls (their 8-bit forms).
const CONTROL_SEQUENCES = new RegExp(
  [
    '\\u001b\\[[0-?]*[ -/]*[@-~]',
    '\\u001b[\\]PX^_][\\s\\S]*?(?:\\u0007|\\u001b\\\\|$)',
    '\\u001b[ -~]?',
    '\\u009b[0-?]*[ -/]*[@-~]',
    '[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f]',
  ].join('|'),
  'g',
);

/** `text` without terminal control sequences; newlines and tabs stay. */
export function stripControlSequences(text: string): string {
  return text.replace(CONTROL_SEQUENCES, '');
}

/** Write a progress or error line to stderr, made inert. */
export function writeErr(text: string): void {
  if (!process.stderr.destroyed) {
    process.stderr.write(stripControlSequences(text));
  }
}

/** Resolves once stdout took the text, or at once when the reader went away (EPIPE). */
export function writeOut(text: string): Promise<void> {
  return new Promise((resolve) => {
    if (process.stdout.destroyed || !process.stdout.writable) {
      resolve();
      return;
    }
    process.stdout.write(text, () => resolve());
  });
}

/**
 * A reader that closes the pipe early (`| head -c 100`) is not an error of ours: stop writing, keep the
 * exit code. Without a listener, Node turns EPIPE into an uncaught exception.
 */
export function endQuietlyOnClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'EIO') {
        throw error;
      }
      stream.destroy();
    });
  }
}
