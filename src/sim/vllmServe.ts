// A `vllm serve` stand-in that starts ONE simulated server, so "SpecReason: Start Servers" can run the demo's
// simulated pair and its tests can run a fake `vllm` on PATH:
//   node dist/simulated-vllm.js serve MODEL --port P [--latency zero|scaled|realistic(default)] [--load-seconds S] [vLLM flags…]
// With --dialect sglang|llama-server|ollama|openai it answers as that engine does, and takes the model the way
// Start Servers gives it to that engine (SGLang's --model-path M, llama-server's -m F / -hf R), so the launch
// settings can start it in place of any engine:
//   node dist/simulated-vllm.js --dialect sglang --model-path Qwen/QwQ-32B --port 30000 --enable-metrics
// The model decides the script: the paper's small model (or any name with "1.5B"/"Distill") drafts, anything
// else is the base model. Other vLLM flags are accepted and ignored. Like vLLM, nothing listens while the
// "model loads", the log says when Uvicorn runs, and a taken port ends it with vLLM's Errno 98 message. It follows
// the scripts of the sample problem and of the demo set (examples/demo-set.jsonl); a problem it has no script for
// gets the sample problem's steps, and its log says so.

import {
  DEMO_LATENCY,
  LATENCY_PROFILES,
  demoPairHasScript,
  demoPairScript,
  latencyProfile,
  type LatencyProfile,
} from './scenarios';
import { SIM_DIALECTS, type SimDialect } from './dialects';
import { SimulatedVllm, type SimScript } from './simulatedVllm';

const SMALL_MODEL = 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B';

interface ServeArgs {
  model: string;
  port: number;
  latency: LatencyProfile;
  loadSeconds: number;
  dialect: SimDialect;
}

function parse(argv: string[]): ServeArgs {
  const args = argv[0] === 'serve' ? argv.slice(1) : argv;
  const value = (flag: string) => {
    const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
    return i === -1 ? undefined : args[i]!.includes('=') ? args[i]!.split('=').slice(1).join('=') : args[i + 1];
  };
  const latency = value('--latency') ?? DEMO_LATENCY;
  if (!(LATENCY_PROFILES as readonly string[]).includes(latency)) {
    process.stderr.write(`ERROR --latency ${latency}: use one of ${LATENCY_PROFILES.join(', ')}\n`);
    process.exit(2);
  }
  const dialect = value('--dialect') ?? 'vllm';
  if (!(SIM_DIALECTS as readonly string[]).includes(dialect)) {
    process.stderr.write(`ERROR --dialect ${dialect}: use one of ${SIM_DIALECTS.join(', ')}\n`);
    process.exit(2);
  }
  // The model as each engine takes it: vLLM's positional MODEL, SGLang's --model-path, llama-server's -m / -hf.
  const model = args[0] && !args[0].startsWith('-') ? args[0] : (value('--model-path') ?? value('-m') ?? value('-hf'));
  return {
    dialect: dialect as SimDialect,
    model: model ?? 'Qwen/QwQ-32B',
    port: Number(value('--port') ?? 8000),
    latency: latency as LatencyProfile,
    loadSeconds: Number(value('--load-seconds') ?? 0.5),
  };
}

async function main(): Promise<void> {
  const { model, port, latency, loadSeconds, dialect } = parse(process.argv.slice(2));
  const small = model === SMALL_MODEL || /1\.5B|distill/i.test(model);
  const latencies = latencyProfile(latency);
  const log = (line: string) => process.stdout.write(`INFO ${new Date().toISOString()} ${line}\n`);
  const script = demoPairScript(small ? 'small' : 'base');
  let lastUnscripted: string | undefined;
  const saying: SimScript = {
    ...script,
    step: (index, context) => {
      if (index === 0 && !demoPairHasScript(context.user) && context.user !== lastUnscripted) {
        lastUnscripted = context.user;
        log(`[simulated] no script for this problem: answering with the sample problem's steps (the rectangle)`);
      }
      return script.step(index, context);
    },
  };
  log(`[simulated] vLLM API server version 0.0.0-simulated`);
  log(
    `[simulated] args: model=${model} port=${port} dialect=${dialect} (SIMULATED ${small ? 'small' : 'base'} model: scripted replies)`,
  );
  log('Loading model weights…');
  await new Promise((r) => setTimeout(r, loadSeconds * 1000));
  const server = new SimulatedVllm({
    model,
    script: saying,
    latency: small ? latencies.small : latencies.base,
    maxModelLen: 32768,
    dialect,
  });
  try {
    await server.start(port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `ERROR ${new Date().toISOString()} [Errno 98] error while attempting to bind on address ('0.0.0.0', ${port}): address already in use\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  log(`Started server process [${process.pid}]`);
  log('Application startup complete.');
  process.stdout.write(`INFO:     Uvicorn running on http://0.0.0.0:${port} (Press CTRL+C to quit)\n`);
  const stop = () => {
    log('Shutting down');
    void server.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`ERROR ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
