// The demo's simulated pair (dist/simulated-vllm.js serve, as scripts/demo.sh and Start Servers run it) serves the
// demo set's scripts as well as the sample problem's: evaluating examples/demo-set.jsonl against it shows accuracy
// rising with the threshold (and acceptance falling, which is where SpecReason's speed comes from), base-only on top.

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEMO_SET } from '../../src/sim/evalDemo';
import { DEMO_PROBLEM, demoPairHasScript } from '../../src/sim/scenarios';
import { cli, serveSimulated, type ServedSimulator } from './cliProcess';

const DEMO_SET_FILE = path.resolve(__dirname, '../../../examples/demo-set.jsonl');

/** One server of the demo pair, as demo.sh starts it (zero latency here). */
const serve = (model: string) => serveSimulated(model, ['--latency', 'zero', '--load-seconds', '0']);

describe("the demo's simulated pair and the demo set", function () {
  this.timeout(120000);
  let base: ServedSimulator;
  let small: ServedSimulator;

  before(async () => {
    [base, small] = await Promise.all([serve('Qwen/QwQ-32B'), serve('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B')]);
  });
  after(() => Promise.all([base, small].map((s) => s?.stop())));

  it('has a script for the sample problem and every problem of the demo set, no other', () => {
    assert.equal(demoPairHasScript(DEMO_PROBLEM), true);
    for (const p of DEMO_SET) {
      assert.equal(demoPairHasScript(`Problem ${p.id}:\n${p.problem}`), true, p.id);
    }
    assert.equal(demoPairHasScript('What is 17 * 23?'), false);
  });

  it('evaluating the demo set: accuracy rises with the threshold, acceptance falls, base-only most accurate', async () => {
    const r = await cli([
      'eval',
      '--dataset',
      DEMO_SET_FILE,
      '--thresholds',
      '3,5,7,9',
      '--modes',
      'specreason,base',
      '--concurrency',
      '4',
      '--quiet',
      '--json',
      '--out',
      mkdtempSync(path.join(tmpdir(), 'specreason-demo-pair-')),
      '--base-url',
      base.url,
      '--small-url',
      small.url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const results = JSON.parse(r.stdout) as {
      configurations: Array<{
        name: string;
        accuracy: number;
        acceptanceRate: number | null;
        speedupVsBase: number | null;
      }>;
    };
    const by = new Map(results.configurations.map((c) => [c.name, c]));
    const sweep = [3, 5, 7, 9].map((t) => by.get(`specreason-t${t}-greedy`)!);
    console.log(
      `      demo set on the demo pair: ${sweep.map((c) => `${c.name} ${(100 * c.accuracy).toFixed(0)}% (acceptance ${(100 * c.acceptanceRate!).toFixed(0)}%)`).join(', ')}, base ${(100 * by.get('base')!.accuracy).toFixed(0)}%`,
    );
    for (let i = 1; i < sweep.length; i++) {
      assert.ok(
        sweep[i]!.accuracy >= sweep[i - 1]!.accuracy,
        `${sweep[i]!.name} at least as accurate as ${sweep[i - 1]!.name}`,
      );
      assert.ok(sweep[i]!.acceptanceRate! <= sweep[i - 1]!.acceptanceRate!, `${sweep[i]!.name} accepts no more`);
    }
    assert.ok(sweep[3]!.accuracy > sweep[0]!.accuracy, 'threshold 9 beats threshold 3');
    assert.ok(by.get('base')!.accuracy >= sweep[3]!.accuracy);
    assert.ok(by.get('base')!.accuracy < 1, 'a hard problem even the base model gets wrong');
    assert.doesNotMatch(base.log(), /no script for this problem/);
  });

  it('the sample problem still follows its own script (the rejected step 3, answer 50)', async () => {
    const r = await cli([
      'solve',
      '--problem',
      DEMO_PROBLEM,
      '--json',
      '--quiet',
      '--base-url',
      base.url,
      '--small-url',
      small.url,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const record = JSON.parse(r.stdout) as { summary: { answer: string }; steps: Array<{ origin: string }> };
    assert.equal(record.summary.answer, '50');
    assert.equal(record.steps[3]!.origin, 'base-fallback');
  });
});
