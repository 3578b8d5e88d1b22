// Server URLs at the boundary (core/serverUrl) and what the manifest declares about where requests go.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { makeConfig, validateConfig } from '../../src/core/config';
import { redactUrlUserInfo, serverUrlProblem, urlOrigin, withV1 } from '../../src/core/llm/serverUrl';

const advice = { howToSetKey: 'set the key' };

describe('server URLs', () => {
  it('refuses user-info, query and fragment, never repeating a password', () => {
    for (const url of ['http://u:pw-123@h:1/v1', 'http://u@h/v1', 'https://:pw-123@h/v1']) {
      const message = serverUrlProblem('base', url, advice);
      assert.match(message ?? '', /has a user name or password in it \(https?:\/\/\*\*\*@h.*set the key/);
      assert.ok(!message!.includes('pw-123'));
    }
    assert.match(serverUrlProblem('base', 'http://h/v1?a=1', advice) ?? '', /must not have a query/);
    assert.match(serverUrlProblem('base', 'http://h/v1#x', advice) ?? '', /or fragment/);
    assert.match(serverUrlProblem('base', 'ftp://h/v1', advice) ?? '', /http or https/);
    assert.ok(!(serverUrlProblem('base', 'http://u:pw-123@h:x:y/v1', advice) ?? '').includes('pw-123'));
    assert.equal(serverUrlProblem('base', 'http://h:30000/v1', advice), undefined);
  });

  it('is the rule of the shared config validation', () => {
    const problems = validateConfig(makeConfig({ small: { url: 'http://me:secret@h/v1' } }));
    assert.deepEqual(
      problems.map((p) => p.key),
      ['small.url'],
    );
    assert.ok(!problems[0]!.message.includes('secret'));
  });

  it('redacts user-info in free text, binds keys to origins, and suggests /v1', () => {
    assert.equal(redactUrlUserInfo('see http://a:b@h/v1 and https://c@d'), 'see http://***@h/v1 and https://***@d');
    assert.equal(urlOrigin('http://h:30000/v1'), 'http://h:30000');
    assert.notEqual(urlOrigin('http://h:30000/v1'), urlOrigin('http://h:30001/v1'));
    assert.equal(withV1('http://h:1'), 'http://h:1/v1');
    assert.equal(withV1('http://h:1/api/'), 'http://h:1/api/v1');
    assert.equal(withV1('http://h:1/v1/'), undefined);
  });
});

describe('manifest: where requests go and what Start Servers runs', () => {
  const manifest = JSON.parse(readFileSync(path.resolve(__dirname, '../../../package.json'), 'utf8')) as {
    capabilities?: { untrustedWorkspaces?: { supported: unknown; restrictedConfigurations?: string[] } };
    contributes: { configuration: { properties: Record<string, { scope?: string }> } };
  };
  const launchKeys = [
    ...['base', 'small'].flatMap((role) =>
      ['command', 'model', 'extraArgs', 'env'].map((k) => `specreason.launch.${role}.${k}`),
    ),
    'specreason.launch.readyTimeout',
  ];

  it('restricts the server location and launch settings in untrusted workspaces (host/serverSettings ignores them in all)', () => {
    assert.equal(manifest.capabilities?.untrustedWorkspaces?.supported, 'limited');
    assert.deepEqual(
      [...(manifest.capabilities?.untrustedWorkspaces?.restrictedConfigurations ?? [])].sort(),
      [
        ...['host', 'basePort', 'smallPort', 'baseUrl', 'smallUrl'].map((k) => `specreason.server.${k}`),
        ...launchKeys,
      ].sort(),
    );
  });

  it('has no machine-scoped setting: a remote window drops those from the local User settings', () => {
    for (const key of launchKeys) {
      assert.ok(manifest.contributes.configuration.properties[key], key);
    }
    const machine = Object.entries(manifest.contributes.configuration.properties)
      .filter(([, p]) => p.scope === 'machine' || p.scope === 'machine-overridable')
      .map(([k]) => k);
    assert.deepEqual(machine, []);
  });
});
