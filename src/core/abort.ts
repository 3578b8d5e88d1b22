// Child abort controllers: abort when the parent does, and stop listening to it when done, so a
// long-lived parent (a run's signal) does not collect one listener per request.

export interface LinkedAbort {
  controller: AbortController;
  signal: AbortSignal;
  /** Stop listening to the parent. */
  unlink: () => void;
}

export function linkedAbort(parent: AbortSignal | undefined): LinkedAbort {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (parent?.aborted) {
    controller.abort();
  } else {
    parent?.addEventListener('abort', abort, { once: true });
  }
  return { controller, signal: controller.signal, unlink: () => parent?.removeEventListener('abort', abort) };
}
