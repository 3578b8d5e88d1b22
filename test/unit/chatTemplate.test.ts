// The raw-prompt engines (llama-server, Ollama raw, OpenAI-compatible completions) get the chat
// rendered by the client with the model's own Jinja template. For the paper's models that prompt must
// be, character for character, the one vLLM's chat endpoint builds from the same messages:
// transformers' apply_chat_template (add_generation_prompt for a fresh turn, continue_final_message for
// a continued one). The expected prompts below are written out by hand from the templates in
// test/fixtures/chat-templates/ (copied from each model's tokenizer_config.json on the Hub).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isJinjaTemplate, renderChat, withoutLeadingBos, type ChatTemplate } from '../../src/core/llm/chatTemplate';
import {
  DEEPSEEK_R1_DISTILL_TEMPLATE,
  QWEN25_TEMPLATE,
  QWQ_TEMPLATE,
  knownTemplateFor,
} from '../../src/core/llm/templates/known';
import { scoreMessages, stepMessages } from '../../src/core/engine/messages';
import { SIM_GO_TEMPLATE } from '../../src/sim/dialects';

const FIXTURES = path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'chat-templates');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name), 'utf8');

const USER = 'What is 2 + 3? Put the answer in \\boxed{}.';
const STEPS = ['First, 2 + 3 = 5.', 'So the answer is 5.'];
const BOS = '<｜begin▁of▁sentence｜>';

/** The paper's three request shapes: step 0 (fresh turn), a later step (continued), a score (continued). */
const step0 = stepMessages(USER, []);
const step2 = stepMessages(USER, STEPS);
const score = scoreMessages(USER, STEPS);

const QWQ = {
  step0: `<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n<think>\n`,
  step2: `<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n<think>First, 2 + 3 = 5.\n\nSo the answer is 5.\n\n`,
};
const DEEPSEEK = {
  step0: `${BOS}<｜User｜>${USER}<｜Assistant｜><think>\n`,
  step2: `${BOS}<｜User｜>${USER}<｜Assistant｜><think>First, 2 + 3 = 5.\n\nSo the answer is 5.\n\n`,
};

describe('client-rendered chat templates: the prompt vLLM builds', () => {
  it('the built-in templates are the fixtures (the models’ own)', () => {
    assert.equal(QWQ_TEMPLATE, fixture('qwq-32b.jinja'));
    assert.equal(QWEN25_TEMPLATE, fixture('qwen2.5-instruct.jinja'));
    assert.equal(DEEPSEEK_R1_DISTILL_TEMPLATE, fixture('deepseek-r1-distill-qwen.jinja'));
  });

  it('QwQ-32B: a fresh turn, a continued step and the score prompt', () => {
    const t: ChatTemplate = { source: fixture('qwq-32b.jinja'), origin: 'fixture' };
    assert.equal(renderChat(t, step0.messages, step0.continueFinal), QWQ.step0);
    assert.equal(renderChat(t, step2.messages, step2.continueFinal), QWQ.step2);
    assert.equal(
      renderChat(t, score, true),
      `${QWQ.step2}<|im_end|>\n<|im_start|>user\n${score[2]!.content}<|im_end|>\n<|im_start|>assistant\n<think>I think the quality score is: `,
    );
  });

  it('DeepSeek-R1-Distill-Qwen: the same three, with its BOS', () => {
    const t: ChatTemplate = { source: fixture('deepseek-r1-distill-qwen.jinja'), origin: 'fixture', bos_token: BOS };
    assert.equal(renderChat(t, step0.messages, step0.continueFinal), DEEPSEEK.step0);
    assert.equal(renderChat(t, step2.messages, step2.continueFinal), DEEPSEEK.step2);
    assert.equal(
      renderChat(t, score, true),
      `${DEEPSEEK.step2}<｜end▁of▁sentence｜><｜User｜>${score[2]!.content}<｜Assistant｜><think>I think the quality score is: `,
    );
    // llama-server and Ollama add BOS when they tokenize: the rendered one is taken off, so there is one.
    assert.equal(withoutLeadingBos(DEEPSEEK.step0, BOS), DEEPSEEK.step0.slice(BOS.length));
  });

  it('Qwen2.5-Instruct: its default system prompt, no <think> in the generation prompt', () => {
    const t: ChatTemplate = { source: fixture('qwen2.5-instruct.jinja'), origin: 'fixture' };
    const system =
      '<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n';
    assert.equal(
      renderChat(t, step0.messages, false),
      `${system}<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n`,
    );
    assert.equal(
      renderChat(t, step2.messages, true),
      `${system}<|im_start|>user\n${USER}<|im_end|>\n<|im_start|>assistant\n<think>First, 2 + 3 = 5.\n\nSo the answer is 5.\n\n`,
    );
  });

  it('a continued message whose end the template trims is cut where transformers cuts it', () => {
    const t: ChatTemplate = {
      source: '{% for m in messages %}{{ m.role }}: {{ m.content | trim }}\n{% endfor %}',
      origin: 'test',
    };
    assert.equal(
      renderChat(t, [{ role: 'assistant', content: 'half a thought  ' }], true),
      'assistant: half a thought',
    );
  });

  it('a template that drops the final message cannot be continued', () => {
    const t: ChatTemplate = { source: '{% for m in messages %}{{ m.role }}{% endfor %}', origin: 'test' };
    assert.throws(() => renderChat(t, step2.messages, true), /drops part of the final message/);
  });

  it('model names find their family; Go templates are told from Jinja', () => {
    assert.equal(knownTemplateFor('deepseek-r1:1.5b')?.source, DEEPSEEK_R1_DISTILL_TEMPLATE);
    assert.equal(knownTemplateFor('deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B')?.bos_token, BOS);
    assert.equal(knownTemplateFor('qwq:32b')?.source, QWQ_TEMPLATE);
    assert.equal(knownTemplateFor('Qwen/Qwen2.5-7B-Instruct')?.source, QWEN25_TEMPLATE);
    assert.equal(knownTemplateFor('llama3.2:1b'), undefined);
    assert.ok(isJinjaTemplate(QWQ_TEMPLATE) && isJinjaTemplate(DEEPSEEK_R1_DISTILL_TEMPLATE));
    assert.ok(!isJinjaTemplate(SIM_GO_TEMPLATE));
    assert.ok(!isJinjaTemplate('{{ if .System }}{{ .System }}{{ end }}{{ .Prompt }}'));
  });
});
