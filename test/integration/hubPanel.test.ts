// Evaluate with a data set from the Hugging Face Hub in a real VS Code extension host, against a local stand-in
// of the Hub (HF_ENDPOINT) and the simulated pair: a reference preset fills the form, the run records the commit
// and the preset; a gated set without a token says how to get access.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { SpecReasonApi } from '../../src/extension';
import { presetNamed } from '../../src/core/eval/presets';
import { DEMO_SCENARIO, startSimPair, type SimPair } from '../../src/sim/scenarios';
import { COMMITS, standInRepos } from '../unit/hubRepos';
import { HubStandIn } from '../unit/hubStandIn';

const HF_ENV = ['HF_ENDPOINT', 'HF_HUB_CACHE', 'HF_TOKEN', 'HF_HUB_OFFLINE', 'HF_HOME'] as const;

async function api(): Promise<SpecReasonApi> {
  const extension = vscode.extensions.getExtension<SpecReasonApi>('specreason.specreason');
  assert.ok(extension);
  return extension.activate();
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) {
      throw new Error('timed out waiting for a condition');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Evaluate a data set from the Hugging Face Hub (extension host, Hub stand-in)', function () {
  this.timeout(120000);
  let hub: HubStandIn;
  let pair: SimPair;
  const saved: Partial<Record<(typeof HF_ENV)[number], string | undefined>> = {};

  before(async () => {
    hub = await new HubStandIn(await standInRepos()).start();
    pair = await startSimPair(DEMO_SCENARIO);
    for (const key of HF_ENV) {
      saved[key] = process.env[key];
      delete process.env[key];
    }
    // The extension host reads huggingface_hub's environment when it fetches.
    process.env.HF_ENDPOINT = hub.endpoint;
    process.env.HF_HOME = mkdtempSync(path.join(tmpdir(), 'specreason-hf-home-'));
    const c = vscode.workspace.getConfiguration('specreason');
    await c.update('server.baseUrl', pair.base.baseUrl, vscode.ConfigurationTarget.Global);
    await c.update('server.smallUrl', pair.small.baseUrl, vscode.ConfigurationTarget.Global);
    await c.update('server.maxRetries', 0, vscode.ConfigurationTarget.Global);
  });
  after(async () => {
    for (const key of HF_ENV) {
      if (saved[key] === undefined) {
        delete process.env[key];
      } else {
        process.env[key] = saved[key];
      }
    }
    const c = vscode.workspace.getConfiguration('specreason');
    for (const key of ['server.baseUrl', 'server.smallUrl', 'server.maxRetries']) {
      await c.update(key, undefined, vscode.ConfigurationTarget.Global);
    }
    const a = await api();
    for (const panel of a.evaluations.panels) {
      panel.dispose();
    }
    await Promise.all([hub.stop(), pair.stop()]);
  });

  it('reference-math: the form takes the preset; a run records the commit, the preset and the simulated pair', async () => {
    const a = await api();
    const panel = await a.evaluations.openHubDataset('math', presetNamed('reference-math'));
    await panel.ready;
    assert.equal(panel.state.dataset?.name, `reference-math: MATH-500/test @${COMMITS.math.slice(0, 7)}`);
    assert.equal(panel.state.dataset?.path, `hf:HuggingFaceH4/MATH-500@${COMMITS.math}/test`);
    assert.equal(panel.state.dataset?.problems, 105);
    const form = panel.state.form;
    assert.deepEqual(
      [form.modes, form.thresholds, form.scoreMethods, form.repeats, form.limit],
      [['specreason', 'base'], [7], ['greedy'], 1, 100],
    );

    const outDir = mkdtempSync(path.join(tmpdir(), 'specreason-hub-eval-'));
    panel.receive({ type: 'eval/start', form: { ...form, limit: 3, concurrency: 2, outDir } });
    await waitFor(() => panel.state.status === 'finished' || panel.state.status === 'error', 90000);
    assert.equal(panel.state.status, 'finished', panel.state.error);
    assert.equal(panel.state.simulated, true);
    assert.equal(panel.state.simulatedWithoutScript, 3, 'the simulated pair has no script for these problems');
    const results = JSON.parse(readFileSync(path.join(outDir, 'results.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(results.dataset, `hf:HuggingFaceH4/MATH-500@${COMMITS.math}/test`);
    assert.deepEqual(results.hub, {
      endpoint: hub.endpoint,
      repo: 'HuggingFaceH4/MATH-500',
      revision: COMMITS.math,
      commit: COMMITS.math,
      split: 'test',
      files: ['test.jsonl'],
    });
    assert.equal(results.preset, 'reference-math');
    assert.equal(results.tokenBudget, 8192);
    assert.equal(results.simulated, true);
  });

  it('gated GPQA without a token: an error that says how to get access, no panel', async () => {
    const a = await api();
    const before = a.evaluations.panels.length;
    await assert.rejects(
      a.evaluations.openHubDataset('gpqa', presetNamed('reference-gpqa')),
      /gated data set.*HF_TOKEN/s,
    );
    assert.equal(a.evaluations.panels.length, before);
  });
});
