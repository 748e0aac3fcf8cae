/**
 * Counts passes of the event loop, lazily: reading the clock makes sure the next check phase advances it, and
 * nothing runs while nobody reads it (a perpetual setImmediate chain would spin the loop). Two events in the same
 * pass read the same value; an event after a check phase reads a larger one. A pool learns that a socket is free
 * within the pass its reply is delivered (undici's drain, node's 'free' are microtasks and ticks), so a call issued
 * in a later pass is one the pool could have put on that socket: the checks order them by this, not by milliseconds
 * that shift with the machine's load.
 */
export class LoopClock {
  private pass = 0;
  private scheduled = false;

  now(): number {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => {
        this.pass += 1;
        this.scheduled = false;
      });
    }
    return this.pass;
  }
}
