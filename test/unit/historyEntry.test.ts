// What the run history keeps of a session, and how an entry reads in Show Run History.

import assert from 'node:assert/strict';
import { runBaseline, runSpecReason } from '../../src/core/engine/specReason';
import { historyEntry, historyItem } from '../../src/host/historyEntry';
import { configFor, numbered, withPair } from './helpers';

describe('run history entries', () => {
  it('keep the SIMULATED flag, mode, threshold, acceptance and answer, and show them', () =>
    withPair(numbered(4, [9, 2]), async (pair) => {
      const config = configFor(pair, { threshold: 6 });
      const spec = await runSpecReason({ text: 'What is\n 6 times 7?' }, config);
      const base = await runBaseline('base', { text: 'What is\n 6 times 7?' }, config);
      const saved = {
        id: 's1',
        kind: 'compare' as const,
        problem: { text: 'What is\n 6 times 7?' },
        records: [spec, base],
        savedAt: '2026-11-29T10:00:00.000Z',
        simulated: true,
      };
      const entry = historyEntry(saved);
      assert.equal(entry.title, 'What is 6 times 7?');
      assert.equal(entry.simulated, true);
      assert.equal(entry.threshold, 6);
      assert.equal(entry.scoreMethod, 'greedy');
      assert.equal(entry.acceptanceRate, 0.75);
      assert.equal(entry.answer, '42');
      assert.ok(entry.speedup !== undefined);
      const item = historyItem(entry);
      assert.match(item.label, /^\$\(split-horizontal\) What is 6 times 7\?$/);
      assert.match(
        item.description,
        /^Compare \(\d+\.\d\d× (faster|— slower)\) · τ 6 greedy · acceptance 75% · answer 42$/,
      );
      assert.match(item.detail, /SIMULATED model pair/);

      const solo = historyItem(historyEntry({ ...saved, kind: 'solve', records: [spec], simulated: false }));
      assert.match(solo.description, /^SpecReason · τ 6 greedy · acceptance 75% · answer 42$/);
      assert.doesNotMatch(solo.detail, /SIMULATED/);
    }));

  it('say how a run without an answer ended', () => {
    const item = historyItem({
      id: 'x',
      kind: 'solve',
      title: 'p',
      savedAt: '2026-11-29T10:00:00.000Z',
      stopReason: 'cancelled',
    });
    assert.match(item.description, /cancelled, no answer/);
    assert.match(item.detail, /cancelled/);
  });
});
