import assert from 'node:assert/strict';
import { splitMath, type MathSegment } from '../../src/shared/mathText';

const text = (value: string): MathSegment => ({ kind: 'text', value, display: false });
const inline = (value: string): MathSegment => ({ kind: 'math', value, display: false });
const display = (value: string): MathSegment => ({ kind: 'math', value, display: true });

describe('splitMath', () => {
  it('returns no segments for empty text and one text segment without math', () => {
    assert.deepEqual(splitMath(''), []);
    assert.deepEqual(splitMath('no math here'), [text('no math here')]);
  });

  it('recognises $$…$$ and \\[…\\] as display math', () => {
    assert.deepEqual(splitMath('a $$x^2$$ b'), [text('a '), display('x^2'), text(' b')]);
    assert.deepEqual(splitMath('a \\[\\frac{1}{2}\\] b'), [text('a '), display('\\frac{1}{2}'), text(' b')]);
  });

  it('lets display math span lines and blank lines', () => {
    assert.deepEqual(splitMath('$$\na\n\nb\n$$'), [display('\na\n\nb\n')]);
  });

  it('recognises $…$ and \\(…\\) as inline math', () => {
    assert.deepEqual(splitMath('so $x+1$ and \\(y\\).'), [
      text('so '),
      inline('x+1'),
      text(' and '),
      inline('y'),
      text('.'),
    ]);
  });

  it('turns a bare \\boxed{…} with balanced braces into inline math', () => {
    assert.deepEqual(splitMath('Answer: \\boxed{\\frac{1}{2}}.'), [
      text('Answer: '),
      inline('\\boxed{\\frac{1}{2}}'),
      text('.'),
    ]);
    assert.deepEqual(splitMath('\\boxed {7}'), [inline('\\boxed {7}')]);
  });

  it('keeps \\boxed inside math as part of that math', () => {
    assert.deepEqual(splitMath('$\\boxed{42}$'), [inline('\\boxed{42}')]);
  });

  it('leaves an unbalanced \\boxed as text', () => {
    assert.deepEqual(splitMath('\\boxed{1 + {2}'), [text('\\boxed{1 + {2}')]);
    assert.deepEqual(splitMath('\\boxed 3'), [text('\\boxed 3')]);
  });

  it('leaves unmatched delimiters as text', () => {
    for (const s of ['cost $5', 'a $$ b', 'open \\[ x', 'open \\( x', 'a $ b $ c', '$$$$']) {
      assert.deepEqual(splitMath(s), [text(s)], s);
    }
  });

  it('keeps prices as text (pandoc rules for $)', () => {
    assert.deepEqual(splitMath('between $5 and $10 total'), [text('between $5 and $10 total')]);
  });

  it('keeps an escaped \\$ as text and never as a delimiter', () => {
    assert.deepEqual(splitMath('pay \\$3 or \\$4'), [text('pay \\$3 or \\$4')]);
    assert.deepEqual(splitMath('$a \\$ b$'), [inline('a \\$ b')]);
  });

  it('does not let inline $ math cross a blank line', () => {
    assert.deepEqual(splitMath('$a\n\nb$'), [text('$a\n\nb$')]);
  });

  it('treats \\\\[ as a line break followed by a bracket, not as display math', () => {
    assert.deepEqual(splitMath('x \\\\[2pt] y \\]'), [text('x \\\\[2pt] y \\]')]);
  });

  it('handles several segments in order', () => {
    const s = 'Let $n=3$. Then $$n^2=9$$ so \\boxed{9}';
    assert.deepEqual(splitMath(s), [
      text('Let '),
      inline('n=3'),
      text('. Then '),
      display('n^2=9'),
      text(' so '),
      inline('\\boxed{9}'),
    ]);
  });

  it('loses no characters of text segments around math', () => {
    const s = 'a <img src=x onerror=alert(1)> $b$ <script>c</script>';
    assert.deepEqual(splitMath(s), [text('a <img src=x onerror=alert(1)> '), inline('b'), text(' <script>c</script>')]);
  });

  it('splits long inputs full of unmatched openers without losing text', () => {
    // A quadratic scan would hit the test timeout; no wall-clock assertion (the machine may be busy).
    for (const unit of ['$x ', '$$ ', '\\( ', '\\[ ', '\\boxed{ ']) {
      const s = unit.repeat(20_000);
      const out = splitMath(s);
      assert.equal(out.map((p) => p.value).join(''), s, unit);
    }
  });
});
