'use strict';
// The grader's symbolic rule in the installed extension (issue 18): the packaged .vsix once lacked the
// lazily loaded dist/compute-engine.js, so its Evaluate panel graded `\sqrt{8}` against `2\sqrt{2}` as
// wrong while the CLI graded it right. Here a small set whose answers need the symbolic rule (and one
// that needs none) is evaluated in the Evaluate panel of the .vsix installed in code-server, and the
// verdicts of every run — correct or not, and the rule that decided — must be the CLI's on the same set
// against the same simulated pair.

const assert = require('node:assert/strict');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const d = require('../driver');
/** @typedef {import('../types').Browser} Browser */
/** @typedef {import('../types').Page} Page */
/** @typedef {import('../types').SimPair} SimPair */
const { startSimPair, DEMO_SCENARIO } = require('../../../out/src/sim/scenarios');

const CLI = path.resolve(__dirname, '../../../dist/cli.js');

/** The set: each problem's gold, and the answer both simulated models give. */
const SET = [
  { id: 's01', problem: 'Simplify $\\sqrt{8}$.', answer: '\\sqrt{8}', says: '2\\sqrt{2}' },
  { id: 's02', problem: 'Expand $(x+1)^2$.', answer: 'x^2+2x+1', says: '(x+1)^2' },
  {
    id: 's03',
    problem: 'Rationalise $\\frac{1}{\\sqrt{2}}$.',
    answer: '\\frac{\\sqrt{2}}{2}',
    says: '\\frac{1}{\\sqrt{3}}',
  },
  { id: 's04', problem: 'What is $2 + 3$?', answer: '5', says: '5' },
];

function script(/** @type {string} */ model) {
  return {
    step: (/** @type {number} */ index, /** @type {{ user: string }} */ { user }) => {
      const p = SET.find((q) => user.includes(q.problem));
      if (!p) {
        return `[simulated ${model} model] So the answer is $\\boxed{0}$.`;
      }
      return index === 0
        ? `[simulated ${model} model] Let me work this out carefully.`
        : `So the result is $\\boxed{${p.says}}$.`;
    },
    score: () => 9,
  };
}

describe('The symbolic rule in the installed .vsix: Evaluate panel verdicts = CLI verdicts', function () {
  this.timeout(240000);
  /** @type {SimPair} */
  let pair;
  /** @type {Browser} */
  let browser;
  /** @type {Page} */
  let page;

  before(async function () {
    pair = await startSimPair(DEMO_SCENARIO, { base: { script: script('base') }, small: { script: script('small') } });
    fs.writeFileSync(
      path.join(d.env.workspace, 'symbolic-set.jsonl'),
      SET.map(({ id, problem, answer }) => JSON.stringify({ id, problem, answer })).join('\n') + '\n',
    );
    ({ browser, page } = await d.openWorkbenchOnPair(pair));
  });

  afterEach(async function () {
    await d.screenshotOnFailure(this, page);
  });

  after(async () => {
    if (page) {
      await d.closeAllEditors(page).catch(() => undefined);
      await d.clearNotifications(page).catch(() => undefined);
    }
    if (browser) {
      await browser.close();
    }
    if (pair) {
      await pair.stop();
    }
  });

  it('grades the set as the CLI does, the symbolic pairs included', async () => {
    // The CLI on the same set and pair.
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'specreason-grading-ui-'));
    // Asynchronously: the simulated pair answers from this process.
    const cli = await promisify(execFile)(
      process.execPath,
      [
        CLI,
        'eval',
        '--dataset',
        path.join(d.env.workspace, 'symbolic-set.jsonl'),
        '--modes',
        'specreason,base',
        '--thresholds',
        '7',
        '--base-url',
        pair.base.baseUrl,
        '--small-url',
        pair.small.baseUrl,
        '--out',
        out,
        '--json',
        '--quiet',
      ],
      { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
    );
    const key = (/** @type {{ problemId: string, mode: string, correct: boolean, rule: string }} */ r) =>
      `${r.problemId} ${r.mode}`;
    const expected = Object.fromEntries(
      JSON.parse(cli.stdout).runs.map(
        (/** @type {{ problemId: string, mode: string, correct: boolean, rule: string }} */ r) => [
          key(r),
          `${r.correct ? 'correct' : 'wrong'} ${r.rule}`,
        ],
      ),
    );
    assert.equal(
      expected['s01 base'],
      'correct symbolic',
      'the CLI grades \\sqrt{8} = 2\\sqrt{2} by the symbolic rule',
    );
    assert.equal(expected['s02 base'], 'correct symbolic');
    assert.equal(expected['s03 base'], 'wrong symbolic');
    assert.equal(expected['s04 base'], 'correct exact');

    // The panel, opened from the Explorer's context menu as a user does.
    const row = page.locator(d.SEL.explorerRow, { hasText: 'symbolic-set.jsonl' }).first();
    await row.waitFor({ timeout: 30000 });
    const before = await d.countWebviews(page);
    await d.explorerMenu(page, 'symbolic-set.jsonl', 'Evaluate Problem Set…');
    const panel = await d.waitForWebview(page, before, { selector: '#btn-run' });
    await panel.locator('#eval-dataset', { hasText: 'symbolic-set.jsonl · 4 problems' }).waitFor({ timeout: 30000 });
    await panel.locator('#eval-thresholds').fill('7');
    await panel.locator('#eval-mode-specreason').check();
    await panel.locator('#eval-mode-base').check();
    await panel.locator('#eval-mode-small').uncheck();
    await panel.locator('#eval-repeats').fill('1');
    await panel.locator('#eval-limit').fill('4');
    await panel.locator('#btn-run').click();
    // Finished, or stopped on an error (a grader that could not decide says so): the verdicts tell which.
    await panel
      .locator('#status', { hasText: /Finished|Error/ })
      .first()
      .waitFor({ timeout: 90000 });

    const marks = await panel.locator('#eval-grid .grid-row').evaluateAll((rows) =>
      rows.flatMap((row) =>
        [...row.querySelectorAll('.cell')].flatMap((cell) =>
          [...cell.querySelectorAll('button.mark')].map((mark) => ({
            problem: row.querySelector('[role="rowheader"]')?.textContent ?? row.textContent,
            config: cell.getAttribute('data-config'),
            verdict: mark.getAttribute('data-verdict'),
            rule: mark.getAttribute('data-rule'),
          })),
        ),
      ),
    );
    /** @type {Record<string, string>} */
    const shown = {};
    for (const m of marks) {
      const id = SET.find((p) => m.problem.includes(p.id))?.id;
      shown[`${id} ${m.config === 'base' ? 'base' : 'specreason'}`] = `${m.verdict} ${m.rule}`;
    }
    assert.deepEqual(shown, expected);
    assert.match((await panel.locator('#status').first().textContent()) ?? '', /Finished/);
    await d.screenshot(page, 'evaluate-symbolic-verdicts.png');
  });
});
