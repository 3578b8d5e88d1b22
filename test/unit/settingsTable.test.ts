// The settings table is the one source of defaults, ranges and choices: package.json's settings are generated
// from it (`npm run gen:manifest`), and everything derived from the table must follow it.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, makeConfig, validateConfig } from '../../src/core/config';
import { scoreFromLogprobs, type ScoreMethod } from '../../src/core/engine/scoring';
import {
  contributedConfiguration,
  generatedManifestText,
  restrictedConfigurations,
} from '../../src/core/settingsManifest';
import {
  ALL_SETTINGS,
  HOST_SETTINGS,
  parseNumberText,
  settingProblem,
  RUN_SETTING_KEYS,
  RUN_SETTINGS,
  TUNING_KEYS,
} from '../../src/core/settingsTable';
import { isToWebviewType, parseFromWebview } from '../../src/shared/protocol';

const MANIFEST = path.resolve(__dirname, '../../../package.json');

describe('settings table', () => {
  describe('package.json is generated from it', () => {
    it('its settings and restricted list are what `npm run gen:manifest` writes (run it after changing the table)', () => {
      const committed = readFileSync(MANIFEST, 'utf8');
      assert.equal(committed, generatedManifestText(committed));
    });

    it('contributes every setting of the table, once, with its default and range', () => {
      const { properties } = contributedConfiguration();
      assert.equal(Object.keys(properties).length, Object.keys(ALL_SETTINGS).length);
      assert.deepEqual(properties['specreason.threshold'], {
        type: 'number',
        default: RUN_SETTINGS.threshold.default,
        minimum: 0,
        maximum: 9,
        order: RUN_SETTINGS.threshold.order,
        markdownDescription: RUN_SETTINGS.threshold.description,
      });
      assert.deepEqual(properties['specreason.launch.base.env']?.additionalProperties, { type: 'string' });
      assert.deepEqual(
        properties['specreason.scoreMethod']?.enumDescriptions,
        RUN_SETTINGS.scoreMethod.choices.map((c) => RUN_SETTINGS.scoreMethod.descriptions[c]),
      );
    });

    it('gives each setting its own place in the Settings editor', () => {
      const orders = Object.values(ALL_SETTINGS).map((s) => s.order);
      assert.equal(new Set(orders).size, orders.length);
    });

    it('restricts exactly the user-only settings in untrusted workspaces', () => {
      const restricted = restrictedConfigurations();
      assert.ok(restricted.includes('specreason.server.baseUrl') && restricted.includes('specreason.launch.small.env'));
      assert.ok(!restricted.includes('specreason.threshold'));
      assert.deepEqual(
        restricted,
        Object.values(ALL_SETTINGS)
          .filter((s) => s.userOnly)
          .sort((a, b) => a.order - b.order)
          .map((s) => `specreason.${s.setting}`),
      );
    });

    it('a hand edit of the manifest fails the check', () => {
      const committed = readFileSync(MANIFEST, 'utf8');
      const edited = JSON.parse(committed) as {
        contributes: { configuration: { properties: Record<string, { default: unknown }> } };
      };
      edited.contributes.configuration.properties['specreason.threshold']!.default = 8;
      const text = JSON.stringify(edited, null, 2) + '\n';
      assert.notEqual(text, generatedManifestText(text));
    });
  });

  it('gives the engine its defaults: the reference spec_reason.py values', () => {
    assert.equal(DEFAULT_CONFIG.threshold, 7);
    assert.equal(DEFAULT_CONFIG.scoreMethod, 'greedy');
    assert.equal(DEFAULT_CONFIG.tokenBudget, 8192);
    assert.equal(DEFAULT_CONFIG.firstNBaseSteps, 0);
    assert.deepEqual(validateConfig(DEFAULT_CONFIG), []);
    for (const key of RUN_SETTING_KEYS) {
      assert.equal(DEFAULT_CONFIG[key], RUN_SETTINGS[key].default, key);
    }
  });

  it('validates every run setting by its entry: ranges, whole numbers, choices, booleans', () => {
    const problems = (partial: Record<string, unknown>) =>
      validateConfig(makeConfig(partial as Parameters<typeof makeConfig>[0])).map((p) => p.message);
    assert.deepEqual(problems({ tokenBudget: 1_000_000, firstNBaseSteps: 1_000_000, stepMaxTokens: 1_000_000 }), []);
    assert.deepEqual(problems({ tokenBudget: 1_000_001 }), ['tokenBudget must be between 1 and 1000000 (got 1000001)']);
    assert.deepEqual(problems({ tokenBudget: 1.5 }), ['tokenBudget must be a whole number (got 1.5)']);
    assert.deepEqual(problems({ threshold: Number.NaN }), ['threshold must be a number (got null)']);
    assert.deepEqual(problems({ topP: 0.001 }), ['topP must be between 0.01 and 1 (got 0.001)']);
    assert.deepEqual(problems({ requestTimeoutSec: 100_000 }), [
      'requestTimeoutSec must be between 0.1 and 86400 (got 100000)',
    ]);
    assert.deepEqual(problems({ maxRetries: 11 }), ['maxRetries must be between 0 and 10 (got 11)']);
    assert.deepEqual(problems({ scoreMethod: 'median' }), ['scoreMethod must be "greedy" or "average" (got "median")']);
    assert.deepEqual(problems({ promptStyle: 'essay' }), [
      'promptStyle must be "auto", "math" or "multiple-choice" (got "essay")',
    ]);
    assert.deepEqual(problems({ stream: 'yes' }), ['stream must be true or false (got "yes")']);
  });

  it('compare.modes: a list of distinct modes, two or more, or empty for the default; an array in the manifest', () => {
    const modes = HOST_SETTINGS.compareModes;
    for (const ok of [[], ['specreason', 'base'], ['specreason', 'first-token', 'lookahead', 'base', 'small']]) {
      assert.equal(settingProblem('compare.modes', modes, ok), undefined, JSON.stringify(ok));
    }
    assert.match(settingProblem('compare.modes', modes, ['base']) ?? '', /must list 2 or more modes, or none/);
    assert.match(settingProblem('compare.modes', modes, ['base', 'base']) ?? '', /must not name a mode twice/);
    assert.match(settingProblem('compare.modes', modes, ['base', 'gpt']) ?? '', /must be a list of "specreason", /);
    assert.match(settingProblem('compare.modes', modes, 'base') ?? '', /must be a list of/);
    const entry = contributedConfiguration().properties['specreason.compare.modes'];
    assert.equal(entry?.type, 'array');
    assert.equal(entry?.uniqueItems, true);
    assert.deepEqual(entry?.items?.enum, [...modes.choices]);
    assert.equal(entry?.items?.enumDescriptions?.length, modes.choices.length);
  });

  it('parses numbers typed by a person: decimal notation only, then the range', () => {
    const threshold = RUN_SETTINGS.threshold;
    const budget = RUN_SETTINGS.tokenBudget;
    assert.deepEqual(parseNumberText('--threshold', threshold, '7.5'), { value: 7.5 });
    assert.deepEqual(parseNumberText('--threshold', threshold, ' 6 '), { value: 6 });
    assert.deepEqual(parseNumberText('--threshold', threshold, '.5'), { value: 0.5 });
    assert.deepEqual(parseNumberText('--token-budget', budget, '1e3'), { value: 1000 });
    for (const text of ['', ' ', '0x7', '0b1', '7abc', 'Infinity', 'NaN', '1,5', '--1']) {
      const parsed = parseNumberText('--threshold', threshold, text);
      assert.ok('problem' in parsed, `${JSON.stringify(text)} is refused`);
      assert.equal(parsed.problem, `--threshold must be a decimal number (got ${JSON.stringify(text)})`);
    }
    assert.deepEqual(parseNumberText('--token-budget', budget, ''), {
      problem: '--token-budget must be a whole number (got "")',
    });
    assert.deepEqual(parseNumberText('--token-budget', budget, '2.5'), {
      problem: '--token-budget must be a whole number (got 2.5)',
    });
    assert.deepEqual(parseNumberText('--threshold', threshold, '12'), {
      problem: '--threshold must be between 0 and 9 (got 12)',
    });
  });

  it('names the panel-tunable settings, each with a range or choices the webview can show', () => {
    assert.deepEqual(TUNING_KEYS, ['threshold', 'scoreMethod', 'tokenBudget', 'firstNBaseSteps']);
    const accepted = (key: string, value: unknown) =>
      parseFromWebview({ type: 'settings/update', key, value }) !== undefined;
    assert.equal(accepted('threshold', 8), true);
    assert.equal(accepted('stepMaxTokens', 8), false, 'not tunable from the panel');
    assert.deepEqual(parseFromWebview({ type: 'settings/target', target: 'workspace' }), {
      type: 'settings/target',
      target: 'workspace',
    });
    assert.equal(parseFromWebview({ type: 'settings/target', target: 'folder' }), undefined);
  });

  it('accepts in the webview exactly the protocol’s message types', () => {
    for (const type of [
      'session/snapshot',
      'run/didStart',
      'run/didUpdate',
      'settings/didChange',
      'metrics/didUpdate',
    ]) {
      assert.equal(isToWebviewType(type), true, type);
    }
    for (const type of ['run/cancel', 'toString', '__proto__', 'constructor', 42, undefined]) {
      assert.equal(isToWebviewType(type), false, String(type));
    }
  });

  it('refuses a score method it does not know instead of silently averaging', () => {
    assert.throws(() => scoreFromLogprobs('median' as ScoreMethod, '7', [{ token: '7', logprob: 0 }]), /median/);
  });
});
