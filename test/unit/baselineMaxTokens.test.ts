// max_tokens of a baseline run: the token budget, unless the prompt and the budget exceed the context.

import assert from 'node:assert/strict';
import { baselineMaxTokens } from '../../src/core/engine/specReason';

describe('baselineMaxTokens', () => {
  it('is the budget when the server does not say its context length', () => {
    assert.equal(baselineMaxTokens(8192, 'x'.repeat(1000), {}), 8192);
  });

  it('is the budget when prompt and budget fit the context', () => {
    assert.equal(baselineMaxTokens(8192, 'x'.repeat(1000), { maxModelLen: 32768 }), 8192);
  });

  it('is what fits when they do not: context − prompt characters − 64 template tokens', () => {
    assert.equal(baselineMaxTokens(8192, 'x'.repeat(1000), { maxModelLen: 4096 }), 4096 - 1000 - 64);
  });

  it('is at least 1, even when the prompt alone fills the context', () => {
    assert.equal(baselineMaxTokens(8192, 'x'.repeat(5000), { maxModelLen: 4096 }), 1);
  });
});
