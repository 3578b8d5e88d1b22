// The `vllm serve` command line and the launch-failure recogniser (src/core/launch/serve.ts).

import assert from 'node:assert/strict';
import {
  LogTail,
  PAPER_MODELS,
  formatElapsed,
  isLocalUrl,
  portOf,
  recogniseLaunchFailure,
  serveCommandLine,
  shellQuote,
} from '../../src/core/launch/serve';

describe('launch: vllm serve command line', () => {
  it("is the paper's command by default: model, port, prefix caching on", () => {
    assert.equal(
      serveCommandLine({ command: 'vllm serve', model: PAPER_MODELS.base, port: 30000, extraArgs: '' }),
      'vllm serve Qwen/QwQ-32B --port 30000 --enable-prefix-caching',
    );
    assert.equal(
      serveCommandLine({ command: '', model: PAPER_MODELS.small, port: 30001, extraArgs: '  ' }),
      'vllm serve deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --port 30001 --enable-prefix-caching',
    );
  });

  it('appends extra arguments as shell text and leaves prefix caching to them when they name it', () => {
    const spec = `--speculative-config '{"model":"${PAPER_MODELS.small}","num_speculative_tokens":5}'`;
    assert.equal(
      serveCommandLine({ command: '/opt/venv/bin/vllm serve', model: 'my model', port: 8000, extraArgs: spec }),
      `/opt/venv/bin/vllm serve 'my model' --port 8000 --enable-prefix-caching ${spec}`,
    );
    assert.equal(
      serveCommandLine({ command: 'vllm serve', model: 'm', port: 1, extraArgs: '--no-enable-prefix-caching' }),
      'vllm serve m --port 1 --no-enable-prefix-caching',
    );
    assert.equal(shellQuote("it's"), `'it'\\''s'`);
  });

  it('reads the port from a URL and knows which URLs are on this machine', () => {
    assert.equal(portOf('http://localhost:30000/v1'), 30000);
    assert.equal(portOf('https://gpu.example.com/v1'), 443);
    assert.equal(portOf('http://gpu.example.com/v1'), 80);
    for (const local of ['http://localhost:1/v1', 'http://127.0.0.1:1/v1', 'http://[::1]:1/v1', 'http://0.0.0.0:1']) {
      assert.ok(isLocalUrl(local), local);
    }
    assert.ok(!isLocalUrl('http://gpu.example.com:30000/v1'));
    assert.ok(isLocalUrl('http://GPU-box:30000/v1', 'gpu-box'));
  });
});

describe('launch: recognising why a server did not start', () => {
  const cases: Array<[string, string[], { code: number | null; signal: string | null } | undefined, string]> = [
    [
      'port in use (uvicorn)',
      ["ERROR [Errno 98] error while attempting to bind on address ('0.0.0.0', 30000): address already in use"],
      { code: 1, signal: null },
      'port_in_use',
    ],
    ['port in use (OSError)', ['OSError: [Errno 98] Address already in use'], undefined, 'port_in_use'],
    [
      'command not found (bash)',
      ['bash: line 1: vllm: command not found'],
      { code: 127, signal: null },
      'command_not_found',
    ],
    ['command not found (dash)', ['/bin/sh: 1: vllm: not found'], { code: 127, signal: null }, 'command_not_found'],
    ['command not found (exit code only)', [], { code: 127, signal: null }, 'command_not_found'],
    [
      'CUDA out of memory, before the traceback ends',
      [
        'Traceback (most recent call last):',
        'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 23.64 GiB',
        'ERROR Engine core initialization failed. See root cause above.',
      ],
      { code: 1, signal: null },
      'cuda_oom',
    ],
    [
      'KV cache does not fit',
      ['ValueError: No available memory for the cache blocks. Try increasing `gpu_memory_utilization`'],
      { code: 1, signal: null },
      'cuda_oom',
    ],
    [
      'model not found',
      [
        'huggingface_hub.errors.RepositoryNotFoundError: 401 Client Error. (Request ID: Root=1-abc)',
        'Repository Not Found for url: https://huggingface.co/api/models/Qwen/QwQ-23B/revision/main.',
      ],
      { code: 1, signal: null },
      'model_not_found',
    ],
    [
      'not a model id',
      [
        "OSError: Qwen/Nope is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'",
      ],
      { code: 1, signal: null },
      'model_not_found',
    ],
    ['other exit', ['INFO starting', 'RuntimeError: something else'], { code: 3, signal: null }, 'exited'],
    ['killed', ['INFO loading'], { code: null, signal: 'SIGKILL' }, 'exited'],
  ];
  for (const [name, lines, exit, cause] of cases) {
    it(name, () => {
      const failure = recogniseLaunchFailure(lines, exit);
      assert.equal(failure?.cause, cause);
      assert.ok(failure.message.length > 20, 'says what to do');
    });
  }

  it('says nothing about a process that still runs without a recognised line', () => {
    assert.equal(recogniseLaunchFailure(['INFO Loading safetensors checkpoint shards: 40%']), undefined);
  });

  it('names the exit code and the last log line of an unrecognised failure', () => {
    const failure = recogniseLaunchFailure(['INFO a', 'RuntimeError: boom', ''], { code: 3, signal: null });
    assert.match(failure!.message, /exited with code 3/);
    assert.match(failure!.message, /RuntimeError: boom/);
  });
});

describe('launch: log tail and elapsed time', () => {
  it('splits chunks into lines across chunk boundaries and keeps the last N', () => {
    const tail = new LogTail(3);
    assert.deepEqual(tail.push('a\nb'), ['a']);
    assert.deepEqual(tail.push('c\r\nd\ne\n'), ['bc', 'd', 'e']);
    assert.deepEqual(tail.lines, ['bc', 'd', 'e']);
    tail.push('partial');
    assert.equal(tail.last, 'partial');
  });

  it('formats elapsed time as m:ss', () => {
    assert.equal(formatElapsed(0), '0:00');
    assert.equal(formatElapsed(65_400), '1:05');
  });
});
