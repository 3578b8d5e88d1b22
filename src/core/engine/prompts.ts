// The reference's prompts, byte for byte (spec_reason.py builds them from indented Python
// triple-quoted strings, so the leading newline, the 8-space indents, the trailing spaces and the
// real newlines inside "(\n\n)" are all part of what the models saw in the paper).

/** Between reasoning steps, as the prompts ask the model to write them; also each step request's stop string. */
export const STEP_SEPARATOR = '\n\n';

/** Which of the paper's prompts a selection gets. */
export const PROMPT_STYLES = ['auto', 'math', 'multiple-choice'] as const;
export type PromptStyle = (typeof PROMPT_STYLES)[number];

export const PROMPT_STYLE_DESCRIPTIONS: Readonly<Record<PromptStyle, string>> = {
  auto: 'Multiple choice when the selection lists choices (A)–(D), one per line; else math.',
  math: "The paper's math prompt (answer in \\boxed{}).",
  'multiple-choice': "The paper's multiple-choice prompt (answer \\boxed{X}, X in A–D).",
};

const INDENT = '        ';

export const MATH_TEMPLATE =
  `\n${INDENT}Solve the following math problem efficiently and clearly. Please reason step by step, \n` +
  `${INDENT}separate logical reasoning steps with two newline characters (\n\n), and put your final answer within \\boxed{{}}.\n` +
  `${INDENT}Problem: {problem}\n${INDENT}`;

export const MULTIPLE_CHOICE_TEMPLATE =
  `\n${INDENT}What is the correct answer to the following problem? Please reason step by step. \n` +
  `${INDENT}Separate logical reasoning steps with two newline characters (\n\n).\n` +
  `${INDENT}Put the final answer **strictly** in the format \\boxed{{X}}, where X is a single letter (A, B, C, or D).\n\n` +
  `${INDENT}**Example output:** \\boxed{{A}}\n\n` +
  `${INDENT}Problem: {problem}.\n` +
  `${INDENT}Choices: \n` +
  `${INDENT}(A) {A}\n${INDENT}(B) {B}\n${INDENT}(C) {C}\n${INDENT}(D) {D}\n${INDENT}`;

/** The score request's judge instruction (reference get_score). */
export const JUDGE_INSTRUCTION =
  'Evaluate the last reasoning step solely based on factual correctness and logical validity. Ignore style, ' +
  'phrasing, or overall usefulness—only judge whether the step is objectively correct and logically follows ' +
  'from prior steps. Assign a score from 0 to 9.';

/** The assistant prefill that makes the next token the score. */
export const SCORE_PREFILL = '<think>I think the quality score is: ';

export interface Choices {
  A: string;
  B: string;
  C: string;
  D: string;
}

export interface Problem {
  /** The question text without the choices. */
  text: string;
  choices?: Choices;
}

export interface PromptTemplates {
  math: string;
  multipleChoice: string;
}

export const DEFAULT_TEMPLATES: PromptTemplates = { math: MATH_TEMPLATE, multipleChoice: MULTIPLE_CHOICE_TEMPLATE };

/**
 * Python str.format semantics, as the reference's templates use them: `{problem}`, `{A}`…`{D}` are
 * replaced, `{{` and `}}` are literal braces. One pass, so text inside a value is never substituted.
 */
export function fillTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\{\{|\}\}|\{(problem|A|B|C|D)\}/g, (whole, name: string | undefined) =>
    whole === '{{' ? '{' : whole === '}}' ? '}' : (values[name!] ?? whole),
  );
}

const CHOICE_LINE = /^\s*\(?([A-D])[).:]\s+(.*)$/;

/**
 * Split a selection into question and choices (A)–(D). Returns no choices unless all four
 * appear, in order, each on its own line.
 */
export function detectChoices(selection: string): Problem {
  const lines = selection.split(/\r?\n/);
  const found: Partial<Record<keyof Choices, string>> = {};
  let firstChoiceLine = -1;
  const order = ['A', 'B', 'C', 'D'] as const;
  let next = 0;
  lines.forEach((line, index) => {
    const match = CHOICE_LINE.exec(line);
    if (match && next < 4 && match[1] === order[next]) {
      if (next === 0) {
        firstChoiceLine = index;
      }
      found[order[next]!] = (match[2] ?? '').trim();
      next++;
    }
  });
  if (next < 4) {
    return { text: selection.trim() };
  }
  const question = lines
    .slice(0, firstChoiceLine)
    .join('\n')
    .replace(/\s*(Choices|Options)\s*:\s*$/i, '')
    .trim();
  return { text: question, choices: found as Choices };
}

/** Apply the prompt-style setting to a raw selection. */
export function parseProblem(selection: string, style: PromptStyle): Problem {
  switch (style) {
    case 'math':
      return { text: selection.trim() };
    case 'auto':
      return detectChoices(selection);
    case 'multiple-choice': {
      const detected = detectChoices(selection);
      if (!detected.choices) {
        throw new Error('promptStyle is "multiple-choice" but the problem has no choices (A)–(D), one per line');
      }
      return detected;
    }
    default: {
      const unknown: never = style;
      throw new Error(`unknown prompt style ${String(unknown)}`);
    }
  }
}

/** The first user message (reference get_first_user_msg). */
export function userMessage(problem: Problem, templates: PromptTemplates = DEFAULT_TEMPLATES): string {
  if (!problem.choices) {
    return fillTemplate(templates.math, { problem: problem.text });
  }
  return fillTemplate(templates.multipleChoice, { problem: problem.text, ...problem.choices });
}
