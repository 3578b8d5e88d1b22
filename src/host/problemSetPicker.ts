// Evaluate Problem Set…'s picker: a file, a data set from the Hugging Face Hub (the named sets or any
// hf:OWNER/NAME…), or one of the reference's presets; and the Hub download with a progress notification.

import * as vscode from 'vscode';
import { formatBytes, NAMED_DATASETS, parseDatasetSpec, resolveDataset, type ResolvedDataset } from '../core/eval/hub';
import { EVAL_PRESETS, type EvalPreset } from '../core/eval/presets';

export const PROBLEM_SET_EXTENSIONS = ['jsonl', 'json', 'csv', 'parquet'] as const;

/** What the user picked: a file, or a Hub data set (a name or `hf:…`) with the preset that chose it, if any. */
export type ProblemSetChoice = { file: vscode.Uri } | { hub: string; preset?: EvalPreset };

type Item = vscode.QuickPickItem & { choose: () => Promise<ProblemSetChoice | undefined> };

async function pickFile(): Promise<ProblemSetChoice | undefined> {
  const file = (
    await vscode.window.showOpenDialog({
      title: 'SpecReason: problem set to evaluate',
      canSelectMany: false,
      filters: { 'Problem sets': [...PROBLEM_SET_EXTENSIONS] },
      openLabel: 'Evaluate',
    })
  )?.[0];
  return file ? { file } : undefined;
}

async function pickHub(): Promise<ProblemSetChoice | undefined> {
  const other = 'hf:';
  const picked = await vscode.window.showQuickPick(
    [
      ...NAMED_DATASETS.map((d) => ({ label: d.name, description: d.title, spec: d.name })),
      {
        label: 'Another data set…',
        description: 'hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT]',
        spec: other,
      },
    ],
    {
      title: 'SpecReason: a data set from the Hugging Face Hub',
      placeHolder: 'aime, math, gpqa, aime25, gsm8k or another',
    },
  );
  if (!picked) {
    return undefined;
  }
  if (picked.spec !== other) {
    return { hub: picked.spec };
  }
  const spec = await vscode.window.showInputBox({
    title: 'SpecReason: data set on the Hugging Face Hub',
    prompt:
      'hf:OWNER/NAME[@REVISION][:CONFIG][/SPLIT], e.g. hf:HuggingFaceH4/MATH-500/test or hf:openai/gsm8k:main/test',
    value: 'hf:',
    validateInput: (value) => {
      try {
        return parseDatasetSpec(value.trim(), () => false) ? undefined : 'start with hf:';
      } catch (error) {
        return (error as Error).message;
      }
    },
  });
  return spec ? { hub: spec.trim() } : undefined;
}

/** The picker: a file, the Hub, or a reference preset. */
export async function pickProblemSet(): Promise<ProblemSetChoice | undefined> {
  const items: Array<Item | vscode.QuickPickItem> = [
    {
      label: '$(file) A file…',
      description: '.jsonl, .json, .csv or .parquet on this machine',
      choose: pickFile,
    },
    {
      label: '$(cloud-download) From the Hugging Face Hub…',
      description: 'aime, math, gpqa, aime25, gsm8k or hf:OWNER/NAME',
      choose: pickHub,
    },
    { label: "The reference's selections (spec_reason.py)", kind: vscode.QuickPickItemKind.Separator },
    ...EVAL_PRESETS.map((preset): Item => ({
      label: `$(beaker) ${preset.name}`,
      description: preset.title,
      detail: 'threshold 7, greedy, token budget 8192, SpecReason and base-only',
      choose: () => Promise.resolve({ hub: preset.dataset, preset }),
    })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'SpecReason: problem set to evaluate' });
  return picked && 'choose' in picked ? picked.choose() : undefined;
}

/** Fetch a Hub data set (into the Hugging Face cache; a cached copy is not fetched again) with a progress notification. */
export async function fetchHubWithProgress(spec: string): Promise<ResolvedDataset> {
  return await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `SpecReason: fetching ${spec} from the Hugging Face Hub`,
      cancellable: true,
    },
    (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let shown = 0;
      return resolveDataset(spec, {
        signal: controller.signal,
        onProgress: (p) => {
          const share = p.total ? (100 * p.received) / p.total : undefined;
          progress.report({
            message: `${p.file}: ${formatBytes(p.received)}${p.total ? ` of ${formatBytes(p.total)}` : ''}`,
            increment: share !== undefined ? share - shown : undefined,
          });
          shown = share ?? shown;
        },
      });
    },
  );
}
