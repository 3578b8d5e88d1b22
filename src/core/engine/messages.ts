// Request message lists, exactly as the reference builds them.

import type { ChatMessage } from '../llm/server';
import { JUDGE_INSTRUCTION, SCORE_PREFILL, STEP_SEPARATOR } from './prompts';

export { STEP_SEPARATOR };

/** `<think>` + steps joined by a blank line + a trailing blank line: the open assistant turn. */
export function thinkPrefill(steps: readonly string[]): string {
  return `<think>${steps.join(STEP_SEPARATOR)}${STEP_SEPARATOR}`;
}

/** Messages for the next step: a fresh assistant turn for step 0, else a continued prefill. */
export function stepMessages(
  user: string,
  steps: readonly string[],
): { messages: ChatMessage[]; continueFinal: boolean } {
  if (steps.length === 0) {
    return { messages: [{ role: 'user', content: user }], continueFinal: false };
  }
  return {
    messages: [
      { role: 'user', content: user },
      { role: 'assistant', content: thinkPrefill(steps) },
    ],
    continueFinal: true,
  };
}

/** Messages that ask the base model to score the last of `stepsWithDraft`. */
export function scoreMessages(user: string, stepsWithDraft: readonly string[]): ChatMessage[] {
  return [
    { role: 'user', content: user },
    { role: 'assistant', content: thinkPrefill(stepsWithDraft) },
    { role: 'user', content: JUDGE_INSTRUCTION },
    { role: 'assistant', content: SCORE_PREFILL },
  ];
}
