// The evaluation demo: a dozen problems with scripted SIMULATED models. The small model slips on some
// steps; the base model scores good and bad steps with overlapping scores (so no threshold separates them
// perfectly); a slip that survives makes the final answer wrong. Accuracy therefore rises with the
// threshold, base-only is slower and more accurate than small-only, and SpecReason sits in between.

import { firstTokenWithEntropy } from './policyReplies';
import type { SimScript, SimServerOptions } from './simulatedVllm';

interface DemoStep {
  /** What a careful model writes (the base model always; the small model unless it slips here). */
  good: string;
  /** The small model's slip at this step, if it slips. */
  slip?: string;
  /** The base model's score of the small model's draft (default 9 for good steps). */
  score?: number;
  /**
   * Step policies: the small model's first-token entropy in nats (default 1.3 where it slips, 0.3 where it
   * does not) and its score of its own draft (default 6 for a slip, 9 otherwise). Uncertainty goes with the
   * slips, but not always: a few slips look certain and a few good steps do not, so each policy misses
   * different slips.
   */
  entropy?: number;
  selfScore?: number;
}

export interface DemoProblem {
  id: string;
  problem: string;
  answer: string;
  wrong: string;
  /** Multiple choice: the four options, correct first (as GPQA stores them). */
  options?: [string, string, string, string];
  steps: DemoStep[];
  /** Words before the boxed answer in the last step. */
  finalPhrase: string;
  /** Both models get this problem wrong (a step even the base model gets wrong). */
  hard?: boolean;
}

export const DEMO_SET: readonly DemoProblem[] = [
  {
    id: 'd01',
    problem:
      'A rectangle has a perimeter of 30 cm and its length is twice its width. What is its area in square centimetres?',
    answer: '50',
    wrong: '56',
    steps: [
      { good: 'Let the width be $w$, so the length is $2w$ and the perimeter is $6w = 30$.', score: 9 },
      { good: 'Hence $w = 5$ and the length is $10$.', slip: 'Hence $w = 5$ and the length is $12$.', score: 2 },
    ],
    finalPhrase: 'The area is',
  },
  {
    id: 'd02',
    problem: 'What is the sum of the first 20 positive integers?',
    answer: '210',
    wrong: '200',
    steps: [
      { good: 'The sum of $1, \\dots, n$ is $\\frac{n(n+1)}{2}$.', score: 8 },
      {
        good: 'With $n = 20$ this is $\\frac{20 \\cdot 21}{2}$.',
        slip: 'With $n = 20$ this is $\\frac{20 \\cdot 20}{2}$.',
        score: 3,
      },
    ],
    finalPhrase: 'The sum is',
  },
  {
    id: 'd03',
    problem: 'How many positive divisors does 36 have?',
    answer: '9',
    wrong: '8',
    steps: [
      { good: 'Factor: $36 = 2^2 \\cdot 3^2$.', score: 9 },
      {
        good: 'The count is $(2+1)(2+1)$.',
        slip: 'The count is $(2+1)(2+1) - 1$, leaving out 36 itself.',
        score: 4,
        entropy: 0.6,
      },
    ],
    finalPhrase: 'The number of divisors is',
  },
  {
    id: 'd04',
    problem: 'Solve for $x$: $3x + 7 = 22$.',
    answer: '5',
    wrong: '\\frac{29}{3}',
    steps: [
      {
        good: 'Subtract 7 from both sides: $3x = 15$.',
        slip: 'Add 7 to both sides: $3x = 29$.',
        score: 5,
        selfScore: 9,
      },
      { good: 'Divide by 3.', score: 7 },
    ],
    finalPhrase: 'So $x$ is',
  },
  {
    id: 'd05',
    problem: 'A shop sells pens at 3 for 2 dollars. How many dollars do 18 pens cost?',
    answer: '12',
    wrong: '9',
    steps: [
      { good: '18 pens are $18 / 3 = 6$ groups of three.', score: 9 },
      {
        good: 'Each group costs 2 dollars, so $6 \\cdot 2$.',
        slip: 'Each group costs 2 dollars, so $18 / 2$.',
        score: 6,
      },
    ],
    finalPhrase: 'The pens cost',
  },
  {
    id: 'd06',
    problem: 'What is the remainder when $2^{10}$ is divided by 7?',
    answer: '2',
    wrong: '4',
    steps: [
      { good: 'Powers of 2 modulo 7 repeat with period 3: $2, 4, 1$.', score: 8 },
      {
        good: '$10 = 3 \\cdot 3 + 1$, so $2^{10} \\equiv 2^1$.',
        slip: '$10 = 3 \\cdot 3 + 2$, so $2^{10} \\equiv 2^2$.',
        score: 7,
      },
    ],
    finalPhrase: 'The remainder is',
  },
  {
    id: 'd07',
    problem: 'The angles of a triangle are in the ratio 1:2:3. What is the largest angle in degrees?',
    answer: '90',
    wrong: '108',
    steps: [
      {
        good: 'The angles are $k, 2k, 3k$ with $6k = 180$.',
        slip: 'The angles are $k, 2k, 3k$ with $5k = 180$.',
        score: 8,
      },
      { good: 'So $k = 30$ and the largest is $3k$.', score: 6 },
    ],
    finalPhrase: 'The largest angle is',
  },
  {
    id: 'd08',
    problem: 'What is $\\frac{1}{2} + \\frac{1}{3}$?',
    answer: '\\frac{5}{6}',
    wrong: '\\frac{2}{5}',
    steps: [
      { good: 'Use the common denominator 6: $\\frac{3}{6} + \\frac{2}{6}$.', score: 9, entropy: 1.1 },
      { good: 'Add the numerators.', score: 7 },
    ],
    finalPhrase: 'The sum is',
  },
  {
    id: 'd09',
    problem: 'For which real $x$ is $x^2 < 9$? Give an interval.',
    answer: '(-3,3)',
    wrong: '[-3,3]',
    steps: [
      { good: '$x^2 < 9$ means $|x| < 3$.', score: 9, entropy: 1.2, selfScore: 7 },
      { good: 'The endpoints are excluded since the inequality is strict.', score: 8 },
    ],
    finalPhrase: 'The solution set is',
  },
  {
    id: 'd10',
    problem: 'Simplify $\\sqrt{50}$.',
    answer: '5\\sqrt{2}',
    wrong: '25\\sqrt{2}',
    steps: [
      { good: '$50 = 25 \\cdot 2$.', score: 9 },
      { good: 'So $\\sqrt{50} = \\sqrt{25}\\sqrt{2}$.', score: 6 },
    ],
    finalPhrase: 'Simplified, it is',
  },
  {
    id: 'd11',
    problem: 'Which gas makes up most of the Earth’s atmosphere by volume?',
    answer: 'Nitrogen',
    wrong: 'Oxygen',
    options: ['Nitrogen', 'Oxygen', 'Argon', 'Carbon dioxide'],
    steps: [
      {
        good: 'Dry air is about 78% nitrogen and 21% oxygen.',
        slip: 'Dry air is about 21% nitrogen and 78% oxygen.',
        score: 3,
      },
      { good: 'The largest share is the answer.', score: 8 },
    ],
    finalPhrase: 'The answer is',
  },
  {
    id: 'd12',
    problem: 'How many trailing zeros does $100!$ have?',
    answer: '24',
    wrong: '20',
    hard: true,
    steps: [
      { good: 'Count the factors of 5 in $100!$: $\\lfloor 100/5 \\rfloor = 20$.', score: 9 },
      { good: 'Multiples of 25 add one more each, but there are none to add.', score: 8 },
    ],
    finalPhrase: 'The number of trailing zeros is',
  },
];

/** The demo set as JSONL lines (the file committed as examples/demo-set.jsonl). */
export function demoSetJsonl(): string {
  return (
    DEMO_SET.map((p) =>
      JSON.stringify(
        p.options
          ? {
              id: p.id,
              problem: p.problem,
              options: p.options,
              answer: p.answer,
            }
          : { id: p.id, problem: p.problem, answer: p.answer },
      ),
    ).join('\n') + '\n'
  );
}

/** Reasoning models write long steps; the padding gives each step a realistic share of decode time. */
const ELABORATION =
  ' Let me write out every intermediate quantity explicitly, check the arithmetic once more, and make sure' +
  ' this follows from what was established before, so that the next step can rely on it without revisiting it.';

const unlabelled = (step: string) =>
  step
    .trim()
    .replace(/^\[simulated \w+ model\] /, '')
    .replace(ELABORATION, '');
const slips = new Set(DEMO_SET.flatMap((p) => p.steps.flatMap((s) => (s.slip ? [s.slip] : []))));
const scores = new Map(DEMO_SET.flatMap((p) => p.steps.flatMap((s) => [[s.slip ?? s.good, s.score ?? 9] as const])));
/** The step of the demo set at `index` of the problem a user message asks, if it is one of its scripted steps. */
function demoStep(user: string, index: number): DemoStep | undefined {
  return demoSetProblemOf(user)?.steps[index];
}

/** The demo set's problem a user message asks, if any. */
export function demoSetProblemOf(user: string): DemoProblem | undefined {
  return DEMO_SET.find((p) => user.includes(p.problem));
}

/** The letter the prompt shows `option` under (multiple choice), else the option itself. */
function shownAs(user: string, option: string): string {
  const m = new RegExp(`\\(([A-D])\\) ${option.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n`).exec(user);
  return m ? m[1]! : option;
}

function script(model: 'base' | 'small'): SimScript {
  const step: SimScript['step'] = (index, { user, previous }) => {
    const p = demoSetProblemOf(user);
    if (!p) {
      return `[simulated ${model} model] (this problem is not in the demo set) So the answer is $\\boxed{0}$.`;
    }
    const label = index === 0 ? `[simulated ${model} model] ` : '';
    if (index < p.steps.length) {
      const step = p.steps[index]!;
      return label + (model === 'small' && step.slip ? step.slip : step.good) + ELABORATION;
    }
    // The last step states what the kept steps lead to: a surviving slip gives the wrong answer.
    const slipped = p.hard || previous.some((s) => slips.has(unlabelled(s)));
    const answer = slipped ? p.wrong : p.answer;
    return `${label}${p.finalPhrase} $\\boxed{${p.options ? shownAs(user, answer) : answer}}$.`;
  };
  return {
    step,
    // The small model scoring its own draft (self-check) is more confident than the base model.
    score: (index, draft, { user }) => {
      const step = demoStep(user, index);
      return model === 'small' ? (step?.selfScore ?? (step?.slip ? 6 : 9)) : (scores.get(unlabelled(draft)) ?? 9);
    },
    firstToken: (index, { user }) => {
      const step = demoStep(user, index);
      return firstTokenWithEntropy(model === 'small' ? 'So' : 'We', step?.entropy ?? (step?.slip ? 1.3 : 0.3));
    },
    // multi-draft: where the small model slips, its second draft of the step is the careful one (so the best of
    // several drafts can be kept where SpecReason and lookahead, one draft a step, have the base model rewrite).
    drafts: (index, n, context) => {
      const careful = demoStep(context.user, index);
      const own = step(index, context);
      const label = index === 0 ? `[simulated ${model} model] ` : '';
      return Array.from({ length: n }, (_, j) => (careful?.slip && j === 1 ? label + careful.good + ELABORATION : own));
    },
  };
}

/** Server options that make a simulated pair follow the demo set's scripts. */
export function demoSetScripts(): { base: Pick<SimServerOptions, 'script'>; small: Pick<SimServerOptions, 'script'> } {
  return { base: { script: script('base') }, small: { script: script('small') } };
}
