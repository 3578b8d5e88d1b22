// Seeded randomness for sampling problems and shuffling options: the same seed and key give the same
// result on every machine and version (a fixed 32-bit generator, not Math.random).

/** FNV-1a hash of a string, as a 32-bit seed. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** mulberry32: a small, well-mixed 32-bit generator; returns numbers in [0, 1). */
export function seededRandom(key: string): () => number {
  let state = hash(key);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher–Yates shuffle driven by the key; the input is not changed. */
export function seededShuffle<T>(items: readonly T[], key: string): T[] {
  const out = [...items];
  const random = seededRandom(key);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * The option order of one run: `permutation[k]` is the index (in the file's order) of the option shown
 * as letter k. Seeded by the run's seed, problem id and repeat, as OpenAI simple-evals does per example.
 */
export function choicePermutation(count: number, seed: number, problemId: string, repeat: number): number[] {
  return seededShuffle(
    Array.from({ length: count }, (_, i) => i),
    `choices:${seed}:${problemId}:${repeat}`,
  );
}
