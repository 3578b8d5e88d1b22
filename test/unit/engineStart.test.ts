// Start Servers for each engine, from a fake command that behaves like the engine (test/unit/fakeEngine.ts
// prints each engine's real log lines and answers its readiness endpoints): it starts, waits for that
// engine's readiness, and names each failure (out of memory, no such model, port in use, no such command).

import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { launchCommandLine, launchKindOf, type LaunchKind } from '../../src/core/launch/serve';
import { groupAlive, startEngine, type EngineLaunch, type StartResult } from '../../src/core/launch/engineStart';

const FAKE = path.join(__dirname, 'fakeEngine.js');
const MODELS: Record<LaunchKind, string> = {
  vllm: 'Qwen/QwQ-32B',
  sglang: 'Qwen/QwQ-32B',
  'llama-server': '/models/qwq-32b-q4_k_m.gguf',
  ollama: 'deepseek-r1:1.5b',
};

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((r) => server.close(r));
  return port;
}

describe('Start Servers for each engine (fake commands)', function () {
  this.timeout(30000);
  const started: StartResult[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).flatMap((r) => (r.process ? [r.process.stop(2000)] : [])));
  });

  async function start(
    kind: LaunchKind,
    options: { fail?: string; port?: number; model?: string; command?: string; state?: string } = {},
  ) {
    const port = options.port ?? (await freePort());
    const statuses: string[] = [];
    const lines: string[] = [];
    const launch: EngineLaunch = {
      kind,
      role: 'base',
      url: kind === 'ollama' ? `http://127.0.0.1:${port}` : `http://127.0.0.1:${port}/v1`,
      command: options.command ?? `node ${FAKE} ${kind}`,
      model: options.model ?? MODELS[kind],
      extraArgs: '',
      env: {
        FAKE_ENGINE_FAIL: options.fail ?? '',
        FAKE_ENGINE_LOAD_MS: '400',
        FAKE_OLLAMA_STATE: options.state ?? path.join(mkdtempSync(path.join(tmpdir(), 'fake-ollama-')), 'models.json'),
      },
      cwd: tmpdir(),
    };
    const result = await startEngine(launch, {
      timeoutMs: 20000,
      signal: new AbortController().signal,
      onStatus: (s) => statuses.push(s),
      onLine: (l) => lines.push(l),
    });
    started.push(result);
    return { result, statuses, lines, port, launch };
  }

  for (const kind of ['vllm', 'sglang', 'llama-server', 'ollama'] as const) {
    describe(kind, () => {
      it('starts and waits until it is ready', async () => {
        const { result, statuses, lines } = await start(kind);
        assert.equal(result.state, 'started', result.failure?.message);
        assert.equal(result.servedModel, MODELS[kind]);
        assert.ok(result.process?.pid);
        if (kind === 'llama-server') {
          assert.ok(
            statuses.some((s) => s.startsWith('Loading model')),
            'its /health 503 "Loading model" is the status',
          );
          assert.ok(lines.some((l) => /server is listening on/.test(l)));
        }
        if (kind === 'ollama') {
          assert.ok(
            statuses.some((s) => s === `pulling ${MODELS.ollama} 50%`),
            statuses.join(' | '),
          );
          assert.ok(lines.includes('success'));
        }
        if (kind === 'sglang') {
          assert.ok(lines.some((l) => /The server is fired up and ready to roll!/.test(l)));
        }
        const pid = result.process.pid;
        await result.process.stop(2000);
        assert.equal(groupAlive(pid), false, 'stopping ends its process group');
      });

      it('names a taken port', async () => {
        const blocker = net.createServer((socket) => socket.destroy());
        await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
        try {
          const { port } = blocker.address() as net.AddressInfo;
          const { result } = await start(kind, { port });
          assert.equal(result.state, 'failed');
          assert.equal(result.failure?.cause, 'port_in_use', result.failure?.message);
          assert.match(result.failure.line!, /address already in use|couldn't bind HTTP server socket/);
        } finally {
          await new Promise((r) => blocker.close(r));
        }
      });

      it('names a model that is not there', async () => {
        const { result } = await start(kind, {
          fail: 'model',
          model: kind === 'ollama' ? 'missing-model:7b' : undefined,
        });
        assert.equal(result.state, 'failed');
        assert.equal(result.failure?.cause, 'model_not_found', result.failure?.message);
        assert.match(
          result.failure.message,
          kind === 'llama-server' ? /\.gguf/ : kind === 'ollama' ? /Ollama library/ : /HF_TOKEN/,
        );
      });

      it('names a command that is not installed', async () => {
        const { result } = await start(kind, { command: `/nonexistent/bin/${kind === 'vllm' ? 'vllm serve' : kind}` });
        assert.equal(result.state, 'failed');
        assert.equal(result.failure?.cause, 'command_not_found');
        const install = {
          vllm: /pip install vllm/,
          sglang: /pip install sglang/,
          'llama-server': /llama\.cpp/,
          ollama: /ollama\.com/,
        };
        assert.match(result.failure.message, install[kind]);
      });
    });
  }

  for (const kind of ['vllm', 'sglang', 'llama-server'] as const) {
    it(`${kind}: names running out of GPU memory, in its own words`, async () => {
      const { result } = await start(kind, { fail: 'oom' });
      assert.equal(result.failure?.cause, 'cuda_oom', result.failure?.message);
      const fix = { vllm: /--gpu-memory-utilization/, sglang: /--mem-fraction-static/, 'llama-server': /-ngl/ };
      assert.match(result.failure.message, fix[kind]);
    });
  }

  it('ollama: a running Ollama without the model is not started again; the model is pulled', async () => {
    const first = await start('ollama');
    assert.equal(first.result.state, 'started');
    const again = await start('ollama', {
      port: first.port,
      model: 'qwq:32b',
      state: first.launch.env.FAKE_OLLAMA_STATE,
    });
    assert.equal(again.result.state, 'reused', again.result.failure?.message);
    assert.equal(again.result.process, undefined, 'no second ollama serve');
    assert.equal(again.result.servedModel, 'qwq:32b');
    assert.ok(again.statuses.includes('pulling qwq:32b 100%'));
  });

  it('cancelling stops what it started', async () => {
    const port = await freePort();
    const controller = new AbortController();
    const launch: EngineLaunch = {
      kind: 'llama-server',
      role: 'small',
      url: `http://127.0.0.1:${port}/v1`,
      command: `node ${FAKE} llama-server`,
      model: MODELS['llama-server'],
      extraArgs: '',
      env: { FAKE_ENGINE_LOAD_MS: '60000' },
      cwd: tmpdir(),
    };
    let pid: number | undefined;
    const result = await startEngine(launch, {
      timeoutMs: 20000,
      signal: controller.signal,
      onSpawn: (p) => (pid = p.pid),
      onStatus: (s) => {
        if (s.startsWith('Loading model')) {
          controller.abort();
        }
      },
    });
    assert.equal(result.state, 'cancelled');
    assert.ok(pid !== undefined && !groupAlive(pid));
  });

  it("each engine's command line, and which engine a command starts", () => {
    const at = { url: 'http://localhost:30000/v1', extraArgs: '' };
    assert.equal(
      launchCommandLine({ ...at, kind: 'sglang', command: '', model: 'Qwen/QwQ-32B' }),
      'python -m sglang.launch_server --model-path Qwen/QwQ-32B --port 30000 --enable-metrics',
    );
    assert.equal(
      launchCommandLine({ ...at, kind: 'llama-server', command: 'vllm serve', model: 'qwq.gguf' }),
      'llama-server -m qwq.gguf --port 30000 --metrics',
    );
    assert.equal(
      launchCommandLine({ ...at, kind: 'llama-server', command: '', model: 'ggml-org/QwQ-32B-GGUF:Q4_K_M' }),
      'llama-server -hf ggml-org/QwQ-32B-GGUF:Q4_K_M --port 30000 --metrics',
    );
    assert.equal(launchCommandLine({ ...at, kind: 'ollama', command: '', model: 'qwq' }), 'ollama serve');
    assert.equal(launchKindOf('/opt/sglang/bin/python -m sglang.launch_server'), 'sglang');
    assert.equal(launchKindOf('~/llama.cpp/build/bin/llama-server'), 'llama-server');
    assert.equal(launchKindOf('vllm serve', 'ollama'), 'ollama');
    assert.equal(launchKindOf('vllm serve', 'auto'), 'vllm');
  });
});
