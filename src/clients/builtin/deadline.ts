/**
 * Runs one operation under the signal a built-in client hands its transport: aborted when the caller aborts or when
 * the client's own per-operation timeout (`ClientOptions.timeoutMs`) passes, whichever comes first. The result
 * rejects as soon as that signal aborts even if the transport has not settled yet, so a library that mislays an
 * abort cannot keep a caller waiting. A timer rather than `AbortSignal.timeout`/`AbortSignal.any` so that nothing
 * outlives the operation, whatever the Node version.
 */
export async function withDeadline<T>(
  callerSignal: AbortSignal,
  timeoutMs: number,
  work: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  // Aborted before it started: send nothing.
  callerSignal.throwIfAborted();
  const controller = new AbortController();
  const onCallerAbort = (): void => controller.abort(callerSignal.reason);
  callerSignal.addEventListener('abort', onCallerAbort, { once: true });
  const timer = setTimeout(() => {
    controller.abort(new DOMException(`the client's own ${timeoutMs} ms timeout passed`, 'TimeoutError'));
  }, timeoutMs);
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(controller.signal.reason);
    if (controller.signal.aborted) onAbort();
    else controller.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const working = work(controller.signal);
    // Whichever loses the race must not surface later as an unhandled rejection.
    working.catch(() => undefined);
    aborted.catch(() => undefined);
    return await Promise.race([working, aborted]);
  } finally {
    clearTimeout(timer);
    callerSignal.removeEventListener('abort', onCallerAbort);
    controller.signal.removeEventListener('abort', onAbort);
  }
}
