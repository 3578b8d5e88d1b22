// A stand-in for each engine's server command, for the Start Servers tests: `node fakeEngine.js KIND ARGS…`
// takes the arguments the real command takes, prints the real engine's log lines (read in its source, see
// src/core/launch.ts) and answers its readiness endpoints as it does. FAKE_ENGINE_FAIL=oom|model makes it
// fail the way the engine fails; a port in use fails for real. FAKE_ENGINE_LOAD_MS: how long it "loads".
// Ollama: `serve` (port from OLLAMA_HOST) and `pull MODEL`; the pulled models live in FAKE_OLLAMA_STATE.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const [kind, ...args] = process.argv.slice(2);
const fail = process.env.FAKE_ENGINE_FAIL ?? '';
const loadMs = Number(process.env.FAKE_ENGINE_LOAD_MS ?? 300);
const log = (line: string) => process.stderr.write(`${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);
const arg = (...names: string[]) => {
  const i = args.findIndex((a) => names.includes(a));
  return i >= 0 ? args[i + 1] : undefined;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function serve(port: number, host: string, handler: http.RequestListener, onBindError: () => void): http.Server {
  const server = http.createServer(handler);
  server.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') {
      onBindError();
    } else {
      log(String(error));
    }
    process.exit(1);
  });
  server.listen(port, host);
  process.on('SIGTERM', () => {
    server.close();
    process.exit(0);
  });
  return server;
}

const reply = (res: http.ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};

async function vllmLike(engine: 'vllm' | 'sglang'): Promise<void> {
  const model = engine === 'vllm' ? args[0]! : arg('--model-path')!;
  const port = Number(arg('--port'));
  if (engine === 'sglang') {
    log(`[2026-12-06 09:00:00] server_args=ServerArgs(model_path='${model}', port=${port})`);
    log('[2026-12-06 09:00:01] Load weight begin. avail mem=78.50 GB');
  } else {
    log(`INFO 12-06 09:00:00 [api_server.py:1000] vLLM API server version 0.11.0`);
    log(`INFO 12-06 09:00:01 [model.py:500] Resolved architecture for ${model}`);
  }
  await sleep(loadMs);
  if (fail === 'model') {
    log('Traceback (most recent call last):');
    log(
      `OSError: ${model} is not a local folder and is not a valid model identifier listed on 'https://huggingface.co/models'`,
    );
    process.exit(1);
  }
  if (fail === 'oom') {
    log('Traceback (most recent call last):');
    log(
      engine === 'sglang'
        ? 'RuntimeError: Not enough memory. Please try to increase --mem-fraction-static.'
        : 'torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB.',
    );
    process.exit(1);
  }
  serve(
    port,
    '127.0.0.1',
    (req, res) => {
      if (req.url === '/health') {
        res.writeHead(200).end();
      } else if (req.url === '/v1/models') {
        reply(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: engine }] });
      } else {
        reply(res, 404, { detail: 'Not Found' });
      }
    },
    () =>
      log(
        `ERROR:    [Errno 98] error while attempting to bind on address ('127.0.0.1', ${port}): address already in use`,
      ),
  ).on('listening', () => {
    log(`INFO:     Uvicorn running on http://127.0.0.1:${port} (Press CTRL+C to quit)`);
    if (engine === 'sglang') {
      log('[2026-12-06 09:00:05] The server is fired up and ready to roll!');
    } else {
      log('INFO:     Application startup complete.');
    }
  });
}

function llamaServer(): void {
  const model = arg('-m', '-hf', '--model')!;
  const port = Number(arg('--port'));
  let loaded = false;
  log('main: setting n_parallel = 4 and kv_unified = true (add -kvu to disable this)');
  serve(
    port,
    '127.0.0.1',
    (req, res) => {
      if (req.url === '/health') {
        if (loaded) {
          reply(res, 200, { status: 'ok' });
        } else {
          reply(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
        }
      } else if (req.url === '/v1/models' && loaded) {
        reply(res, 200, { object: 'list', data: [{ id: model, object: 'model', owned_by: 'llamacpp' }] });
      } else {
        reply(res, 503, { error: { code: 503, message: 'Loading model', type: 'unavailable_error' } });
      }
    },
    () => {
      log(`start: couldn't bind HTTP server socket, hostname: 127.0.0.1, port: ${port}`);
      log('main: exiting due to HTTP server error');
    },
  ).on('listening', () => void loadModel());
  async function loadModel(): Promise<void> {
    log(`srv    load_model: loading model '${model}'`);
    await sleep(loadMs);
    if (fail === 'model') {
      log(`gguf_init_from_file_impl: failed to open GGUF file '${model}' (No such file or directory)`);
      log(`llama_model_load: error loading model: llama_model_loader: failed to load model from ${model}`);
      log('main: exiting due to model loading error');
      process.exit(1);
    }
    if (fail === 'oom') {
      log(
        'ggml_backend_cuda_buffer_type_alloc_buffer: allocating 18500.00 MiB on device 0: cudaMalloc failed: out of memory',
      );
      log('alloc_tensor_range: failed to allocate CUDA0 buffer of size 19398656000');
      log('llama_model_load: error loading model: unable to allocate CUDA0 buffer');
      log('main: exiting due to model loading error');
      process.exit(1);
    }
    loaded = true;
    log('main: model loaded');
    log(`main: server is listening on http://127.0.0.1:${port}`);
    log('main: starting the main loop...');
  }
}

function ollamaModels(): string[] {
  const file = process.env.FAKE_OLLAMA_STATE!;
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as string[]) : [];
}

async function ollama(): Promise<void> {
  const [command, model] = args;
  if (command === 'serve') {
    const [host, port] = (process.env.OLLAMA_HOST ?? '127.0.0.1:11434').split(':');
    serve(
      Number(port),
      host!,
      (req, res) => {
        if (req.url === '/api/version') {
          reply(res, 200, { version: '0.13.0' });
        } else if (req.url === '/api/tags') {
          reply(res, 200, { models: ollamaModels().map((name) => ({ name, model: name, size: 1 })) });
        } else {
          reply(res, 404, { error: 'not found' });
        }
      },
      () => log(`Error: listen tcp ${host}:${port}: bind: address already in use`),
    ).on('listening', () =>
      log(
        `time=2026-12-06T09:00:00.000Z level=INFO source=routes.go:1 msg="Listening on ${host}:${port} (version 0.13.0)"`,
      ),
    );
    return;
  }
  if (command === 'pull') {
    out('pulling manifest');
    await sleep(50);
    if (model!.startsWith('missing') || fail === 'model') {
      log('Error: pull model manifest: file does not exist');
      process.exit(1);
    }
    for (const pct of [0, 25, 50, 75, 100]) {
      out(`pulling aabbccddeeff: ${pct}% ▕████  ▏ ${pct * 10} MB/1.0 GB`);
      await sleep(loadMs / 5);
    }
    out('verifying sha256 digest');
    out('writing manifest');
    writeFileSync(
      process.env.FAKE_OLLAMA_STATE!,
      JSON.stringify([...ollamaModels(), model!.includes(':') ? model : `${model}:latest`]),
    );
    out('success');
    process.exit(0);
  }
  log(`Error: unknown command "${command}" for "ollama"`);
  process.exit(1);
}

void (kind === 'vllm' || kind === 'sglang' ? vllmLike(kind) : kind === 'llama-server' ? llamaServer() : ollama());
