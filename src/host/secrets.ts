// API keys for servers started with --api-key. They live in SecretStorage only, never in settings or logs.
// Each key is bound to the origin (scheme://host:port) it was set for: it is sent there without asking,
// and to any other origin only after a modal question (never from a background check).

import * as vscode from 'vscode';
import type { SpecReasonConfig } from '../core/config';
import { urlOrigin } from '../core/llm/serverUrl';

export type KeyScope = 'base' | 'small';

const keyName = (scope: KeyScope) => `specreason.apiKey.${scope}`;

interface StoredKey {
  key: string;
  /** Where the key may go; undefined for keys saved before keys were bound (bound on first use). */
  origin?: string;
}

/** Asks whether to send a key to an origin it was not set for. */
export type SendKeyQuestion = (scope: KeyScope, boundTo: string, target: string) => Promise<'once' | 'rebind' | 'no'>;

export class ApiKeys {
  constructor(private readonly _secrets: vscode.SecretStorage) {}

  private async _stored(scope: KeyScope): Promise<StoredKey | undefined> {
    const raw = await this._secrets.get(keyName(scope));
    if (!raw) {
      return undefined;
    }
    try {
      const parsed = JSON.parse(raw) as Partial<StoredKey>;
      if (typeof parsed.key === 'string') {
        return { key: parsed.key, origin: typeof parsed.origin === 'string' ? parsed.origin : undefined };
      }
    } catch {
      /* a key saved as plain text by an earlier version */
    }
    return { key: raw };
  }

  /** Store `key` for the server at `url` (bound to its origin). */
  async set(scope: KeyScope, key: string, url: string): Promise<void> {
    await this._secrets.store(keyName(scope), JSON.stringify({ key, origin: urlOrigin(url) } satisfies StoredKey));
  }

  async clear(scope: KeyScope): Promise<void> {
    await this._secrets.delete(keyName(scope));
  }

  /** The origin a stored key is bound to (for messages), if any. */
  async boundOrigin(scope: KeyScope): Promise<string | undefined> {
    return (await this._stored(scope))?.origin;
  }

  /**
   * The config with each server's key filled in, where the key may go. A key bound to another origin is
   * sent only if `ask` says so; without `ask` (background checks) it is left out.
   */
  async apply(config: SpecReasonConfig, ask?: SendKeyQuestion): Promise<SpecReasonConfig> {
    const keyFor = async (scope: KeyScope): Promise<string> => {
      const stored = await this._stored(scope);
      const target = urlOrigin(config[scope].url);
      if (!stored || !target) {
        return '';
      }
      if (stored.origin === undefined) {
        await this.set(scope, stored.key, config[scope].url); // an unbound key: bind it where it is used now
        return stored.key;
      }
      if (stored.origin === target) {
        return stored.key;
      }
      const answer = ask ? await ask(scope, stored.origin, target) : 'no';
      if (answer === 'rebind') {
        await this.set(scope, stored.key, config[scope].url);
      }
      return answer === 'no' ? '' : stored.key;
    };
    const base = await keyFor('base');
    const small = await keyFor('small');
    return { ...config, base: { ...config.base, apiKey: base }, small: { ...config.small, apiKey: small } };
  }

  onDidChange(listener: () => void): vscode.Disposable {
    return this._secrets.onDidChange((e) => {
      if (e.key.startsWith('specreason.apiKey.')) {
        listener();
      }
    });
  }
}

/** The modal question before a key goes to an origin it was not set for. */
export const askBeforeSendingKey: SendKeyQuestion = async (scope, boundTo, target) => {
  const once = 'Send Once';
  const rebind = 'Send and Use for This Server';
  const choice = await vscode.window.showWarningMessage(
    `SpecReason: send the ${scope} server's API key to ${target}?`,
    {
      modal: true,
      detail:
        `The key was saved for ${boundTo}, but the ${scope} server is now ${target}. ` +
        'Send it only if you trust that server. Without the key, a server started with --api-key answers 401.',
    },
    once,
    rebind,
  );
  return choice === once ? 'once' : choice === rebind ? 'rebind' : 'no';
};
