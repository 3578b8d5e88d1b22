// A generation request that may be speculative: its text is held back until the engine adopts it
// (then flushed and passed through live), or it is discarded (aborted, its tokens counted as waste).

import { linkedAbort, type LinkedAbort } from '../abort';
import type { GenerateRequest, GenerateResult, ModelServer } from '../llm/server';

export class Lane {
  readonly result: Promise<GenerateResult>;
  private readonly _link: LinkedAbort;
  private _held = '';
  private _chunks = 0;
  private _listener?: (text: string) => void;

  constructor(
    readonly client: ModelServer,
    /** The steps this generation continues; a lane is only usable for exactly this context. */
    readonly context: readonly string[],
    /** What was sent (the step record keeps its parameters). */
    readonly request: GenerateRequest,
    parent: AbortSignal,
  ) {
    this._link = linkedAbort(parent);
    this.result = client.generate(request, this._link.signal, (text) => {
      this._chunks++;
      if (this._listener) {
        this._listener(text);
      } else {
        this._held += text;
      }
    });
    // Handled here so a discarded lane never becomes an unhandled rejection; adopters await `result`.
    this.result.then(
      () => this._link.unlink(),
      () => this._link.unlink(),
    );
  }

  /** Start delivering text: what arrived so far at once, then each delta as it comes. */
  adopt(listener: (text: string) => void): Promise<GenerateResult> {
    this._listener = listener;
    if (this._held) {
      listener(this._held);
      this._held = '';
    }
    return this.result;
  }

  /** Abort if still running; resolves to the tokens this lane generated for nothing. */
  discard(): Promise<number> {
    this._listener = undefined;
    this._link.controller.abort();
    // A finished reply reports its tokens; an aborted stream is estimated from its chunks (vLLM sends ~1 token each).
    return this.result.then(
      (r) => r.completionTokens,
      () => this._chunks,
    );
  }

  sameContext(steps: readonly string[]): boolean {
    return this.context.length === steps.length && this.context.every((s, i) => s === steps[i]);
  }
}
