// The panel state VS Code hands back after a window reload: trusted only when it is this protocol's.

import assert from 'node:assert/strict';
import { describeRefusedState, restoredState } from '../../src/host/restoredState';
import { newPanelRun, PROTOCOL_VERSION, type PanelState } from '../../src/shared/protocol';

const state: PanelState = {
  protocolVersion: PROTOCOL_VERSION,
  kind: 'solve',
  problem: { text: 'What is 6 times 7?' },
  runs: [newPanelRun('r1', 'specreason', 7, 'greedy', 0)],
  tuning: { threshold: 7, scoreMethod: 'greedy', tokenBudget: 8192, firstNBaseSteps: 0, target: 'user' },
};

describe('restoredState', () => {
  it('accepts the state as saved, wrapped in {state}, or as its JSON text', () => {
    assert.deepEqual(restoredState(state), state);
    assert.deepEqual(restoredState({ state }), state);
    assert.deepEqual(restoredState(JSON.stringify(state)), state);
    assert.deepEqual(restoredState(JSON.stringify({ state })), state);
  });

  it('refuses another protocol version, a state without runs or problem, and anything else', () => {
    for (const saved of [
      { ...state, protocolVersion: PROTOCOL_VERSION + 1 },
      { ...state, protocolVersion: undefined },
      { ...state, runs: undefined },
      { ...state, runs: 'r1' },
      { ...state, problem: undefined },
      { state: { ...state, protocolVersion: 0 } },
      undefined,
      null,
      7,
      '',
      'not json {',
      '"a string"',
      [],
    ]) {
      assert.equal(restoredState(saved), undefined, JSON.stringify(saved));
    }
  });

  it('describes a refused state by its type and key names only (no content in the log)', () => {
    assert.equal(describeRefusedState({ secret: 'x', other: 1 }), 'object: secret, other');
    assert.equal(describeRefusedState('text'), 'string');
    assert.equal(describeRefusedState(undefined), 'undefined');
  });
});
