/**
 * The run's logical clock: it ticks each time the release gate lets a batch of held responses go. A staggered
 * caller waits for a number of ticks instead of milliseconds, so it issues at the same point of the schedule in
 * every replay (right as others' replies are released, meeting a pool whose sockets are busy with them).
 */
export class ReleaseClock {
  private ticks = 0;
  private readonly waiting: Array<{ due: number; resolve: () => void }> = [];

  get waiters(): number {
    return this.waiting.length;
  }

  /** Resolves after `count` more ticks (at once for 0). */
  after(count: number): Promise<void> {
    if (count <= 0) return Promise.resolve();
    return new Promise((resolve) => this.waiting.push({ due: this.ticks + count, resolve }));
  }

  /** One more tick: every waiter now due goes on, in the order it started waiting. */
  tick(): void {
    this.ticks += 1;
    for (let index = 0; index < this.waiting.length; ) {
      const waiter = this.waiting[index]!;
      if (waiter.due <= this.ticks) {
        this.waiting.splice(index, 1);
        waiter.resolve();
      } else index += 1;
    }
  }

  /** Lets every waiter go (the run is over). */
  releaseAll(): void {
    for (const waiter of this.waiting.splice(0)) waiter.resolve();
  }
}
