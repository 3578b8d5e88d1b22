// API keys for servers started with --api-key. They live in SecretStorage only, never in settings or logs.

import type * as vscode from 'vscode';
import type { SpecReasonConfig } from '../core/config';

export type KeyScope = 'base' | 'small';

const keyName = (scope: KeyScope) => `specreason.apiKey.${scope}`;

export class ApiKeys {
  constructor(private readonly _secrets: vscode.SecretStorage) {}

  async get(scope: KeyScope): Promise<string> {
    return (await this._secrets.get(keyName(scope))) ?? '';
  }

  async set(scope: KeyScope, key: string): Promise<void> {
    await this._secrets.store(keyName(scope), key);
  }

  async clear(scope: KeyScope): Promise<void> {
    await this._secrets.delete(keyName(scope));
  }

  /** The config with each server's key filled in. */
  async apply(config: SpecReasonConfig): Promise<SpecReasonConfig> {
    const [base, small] = await Promise.all([this.get('base'), this.get('small')]);
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
