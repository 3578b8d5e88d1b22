// package.json's settings, generated from the settings table: `contributes.configuration` (every entry's
// type, default, range or choices, order and description) and the untrusted-workspace
// `restrictedConfigurations` (the user-only entries). `npm run gen:manifest` writes them; a unit test
// fails when the committed manifest differs from what this generates.

import { ALL_SETTINGS, type Setting } from './settingsTable';

/** One setting as the manifest declares it (the keys in this order). */
export interface ContributedSetting {
  type: 'number' | 'integer' | 'string' | 'boolean' | 'object' | 'array';
  default: unknown;
  enum?: string[];
  enumDescriptions?: string[];
  minimum?: number;
  maximum?: number;
  additionalProperties?: { type: 'string' };
  items?: { type: 'string'; enum: string[]; enumDescriptions?: string[] };
  uniqueItems?: boolean;
  scope?: Setting['scope'];
  order: number;
  markdownDescription: string;
}

function valueSchema(
  spec: Setting,
): Pick<
  ContributedSetting,
  | 'type'
  | 'default'
  | 'enum'
  | 'enumDescriptions'
  | 'minimum'
  | 'maximum'
  | 'additionalProperties'
  | 'items'
  | 'uniqueItems'
> {
  switch (spec.kind) {
    case 'number':
      return {
        type: spec.integer ? 'integer' : 'number',
        default: spec.default,
        minimum: spec.min,
        maximum: spec.max,
      };
    case 'choice':
      return {
        type: 'string',
        default: spec.default,
        enum: [...spec.choices],
        enumDescriptions: spec.descriptions && spec.choices.map((c) => spec.descriptions![c] ?? ''),
      };
    case 'boolean':
      return { type: 'boolean', default: spec.default };
    case 'text':
      return { type: 'string', default: spec.default };
    case 'map':
      return {
        type: 'object',
        default: spec.default,
        additionalProperties: { type: 'string' },
      };
    case 'list':
      return {
        type: 'array',
        default: [...spec.default],
        items: {
          type: 'string',
          enum: [...spec.choices],
          enumDescriptions: spec.descriptions && spec.choices.map((c) => spec.descriptions![c] ?? ''),
        },
        uniqueItems: true,
      };
  }
}

/** Every table entry, in Settings-editor order. */
function entries(): Setting[] {
  return Object.values(ALL_SETTINGS).sort((a, b) => a.order - b.order);
}

/** `contributes.configuration`. */
export function contributedConfiguration(): {
  title: string;
  properties: Record<string, ContributedSetting>;
} {
  const properties: Record<string, ContributedSetting> = {};
  for (const spec of entries()) {
    const entry: ContributedSetting = {
      ...valueSchema(spec),
      scope: spec.scope,
      order: spec.order,
      markdownDescription: spec.description,
    };
    properties[`specreason.${spec.setting}`] = JSON.parse(JSON.stringify(entry)) as ContributedSetting;
  }
  return { title: 'SpecReason', properties };
}

/** `capabilities.untrustedWorkspaces.restrictedConfigurations`: the user-only settings. */
export function restrictedConfigurations(): string[] {
  return entries()
    .filter((spec) => spec.userOnly !== undefined)
    .map((spec) => `specreason.${spec.setting}`);
}

interface Manifest {
  contributes: { configuration: unknown };
  capabilities: {
    untrustedWorkspaces: { restrictedConfigurations?: string[] };
  };
}

/** The manifest with its settings replaced by the generated ones (the rest untouched, key order kept). */
export function withGeneratedSettings<M extends Manifest>(manifest: M): M {
  const copy = JSON.parse(JSON.stringify(manifest)) as M;
  copy.contributes.configuration = contributedConfiguration();
  copy.capabilities.untrustedWorkspaces.restrictedConfigurations = restrictedConfigurations();
  return copy;
}

/** The text `npm run gen:manifest` writes for package.json's text `text`. */
export function generatedManifestText(text: string): string {
  return JSON.stringify(withGeneratedSettings(JSON.parse(text) as Manifest), null, 2) + '\n';
}
