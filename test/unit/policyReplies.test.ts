// What the simulated pair serves the step policies: first-token distributions of a chosen entropy, the
// small model's self-scores, and a demo set on which the policies visibly decide differently.

import assert from 'node:assert/strict';
import type { StepPolicyName } from '../../src/core/config';
import { firstTokenEntropy } from '../../src/core/engine/policies/firstToken';
import { runSpecReason } from '../../src/core/engine/specReason';
import { DEMO_SET } from '../../src/sim/evalDemo';
import { firstTokenWithEntropy } from '../../src/sim/policyReplies';
import { demoPairOptions } from '../../src/sim/scenarios';
import { configFor, failOnUnhandledRejections, numbered, withPair } from './helpers';

describe('the simulator for step policies', () => {
  failOnUnhandledRejections();

  it('scripts a first token of 20 alternatives with the entropy asked for', () => {
    for (const nats of [0, 0.3, 0.9, 1.3, 2.5]) {
      const reply = firstTokenWithEntropy('So', nats);
      assert.equal(reply.top.length, 20);
      assert.equal(reply.sampled, 'So');
      const h = firstTokenEntropy(reply.top.map(([token, logprob]) => ({ token, logprob })));
      assert.ok(Math.abs(h - nats) < 1e-6, `${nats}: ${h}`);
    }
  });

  it('on the demo set, each policy keeps a different set of the small model’s slips', async () => {
    const answers = await withPair(
      numbered(1),
      async (pair) => {
        const byPolicy: Partial<Record<StepPolicyName, Record<string, { correct: boolean; routed: string[] }>>> = {};
        for (const policy of ['specreason', 'first-token', 'self-check', 'lookahead', 'multi-draft'] as const) {
          const results: Record<string, { correct: boolean; routed: string[] }> = {};
          for (const p of DEMO_SET.filter((d) => !d.options)) {
            const record = await runSpecReason({ text: p.problem }, configFor(pair, { stepPolicy: policy }));
            assert.equal(record.summary.stopReason, 'finished', `${policy} ${p.id}`);
            results[p.id] = { correct: record.summary.answer === p.answer, routed: record.steps.map((s) => s.origin) };
          }
          byPolicy[policy] = results;
        }
        return byPolicy;
      },
      demoPairOptions(),
    );
    const sr = answers.specreason!;
    const ft = answers['first-token']!;
    const sc = answers['self-check']!;
    // d03: the base model's judge rejects the slip (score 4); its first token looks certain (0.6 nats < 0.9).
    assert.equal(sr.d03?.correct, true);
    assert.equal(ft.d03?.correct, false);
    // d04: the small model is sure of its slip (self-score 9); the base model's judge is not (5).
    assert.equal(sr.d04?.correct, true);
    assert.equal(sc.d04?.correct, false);
    // d08: a good step with an uncertain first token goes to the base model under first-token routing only.
    assert.equal(ft.d08?.routed[0], 'base-fallback');
    assert.equal(sr.d08?.routed[0], 'small');
    // lookahead makes SpecReason's decisions (a window of drafts, each judged as SpecReason judges it); multi-draft's
    // second draft of a slipped step is the careful one: it keeps that draft where the others have the base rewrite.
    const la = answers.lookahead!;
    const md = answers['multi-draft']!;
    for (const id of Object.keys(sr)) {
      assert.deepEqual(la[id], sr[id], `lookahead ${id}`);
    }
    const rewrites = (r: typeof sr) =>
      Object.values(r).reduce((sum, p) => sum + p.routed.filter((o) => o === 'base-fallback').length, 0);
    assert.ok(rewrites(md) < rewrites(sr), `multi-draft ${rewrites(md)} rewrites, SpecReason ${rewrites(sr)}`);
    const kept = Object.keys(sr).filter((id) =>
      sr[id]!.routed.some((o, i) => o === 'base-fallback' && md[id]?.routed[i] === 'small'),
    );
    assert.ok(kept.length > 0, 'a step SpecReason rewrote, multi-draft kept a draft of');
  });
});
