/**
 * The server's writes of released responses, one piece at a time, in the order they asked for a turn, with two
 * passes of the event loop after each so an in-process client has read one piece before the next exists. Which
 * reply completes first, and how pieces of concurrent replies interleave at the client, then follow the schedule
 * (release order, then round-robin as each response asks for its next piece) instead of timers racing each other.
 */
export class WriteTurns {
  private readonly queue: Array<() => void> = [];
  private granting = false;
  private disposed = false;

  /** Pieces waiting for their turn. */
  get waiting(): number {
    return this.queue.length;
  }

  turn(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.queue.push(resolve);
      this.grant();
    });
  }

  /** Lets every waiting piece go (the run is over). */
  dispose(): void {
    this.disposed = true;
    for (const resolve of this.queue.splice(0)) resolve();
  }

  private grant(): void {
    if (this.granting) return;
    const next = this.queue.shift();
    if (next === undefined) return;
    this.granting = true;
    next();
    setImmediate(() =>
      setImmediate(() => {
        this.granting = false;
        this.grant();
      }),
    );
  }
}
