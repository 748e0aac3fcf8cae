import type { VerifyEvent } from '../verify/events.js';

export interface ProgressOptions {
  /** A terminal: one line redrawn in place. Otherwise (CI logs) a plain line every `everyMs`. */
  tty: boolean;
  write: (text: string) => void;
  everyMs?: number;
  now?: () => number;
}

/**
 * The progress display: what phase the verification is in (searching, shrinking, replaying), how far, how long
 * and how fast. On a terminal one line is redrawn at most ten times a second; in a log, a line every few seconds
 * and one at each change of phase, so a CI log shows progress without drowning in it.
 */
export class Progress {
  private readonly started: number;
  private lastDrawn = -Infinity;
  private phase = '';
  private shown = false;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.now = options.now ?? (() => performance.now());
    this.started = this.now();
  }

  update(event: VerifyEvent): void {
    const line = this.describe(event);
    if (line === null) return;
    const [phase, text] = line;
    const now = this.now();
    const changed = phase !== this.phase;
    this.phase = phase;
    const every = this.options.tty ? 100 : (this.options.everyMs ?? 5_000);
    if (!changed && now - this.lastDrawn < every) return;
    this.lastDrawn = now;
    const elapsed = `${((now - this.started) / 1000).toFixed(1)} s`;
    if (this.options.tty) {
      this.options.write(`\r\x1b[K  ${text} · ${elapsed}`);
      this.shown = true;
    } else this.options.write(`  [${elapsed}] ${text}\n`);
  }

  /** Clears the redrawn line (before anything else is printed). */
  clear(): void {
    if (this.options.tty && this.shown) this.options.write('\r\x1b[K');
    this.shown = false;
  }

  private describe(event: VerifyEvent): [string, string] | null {
    switch (event.type) {
      case 'search': {
        const rate = event.elapsedMs > 0 ? (event.run / event.elapsedMs) * 1000 : 0;
        return ['search', `searching: run ${event.run}/${event.runs}, ${rate.toFixed(1)} runs/s`];
      }
      case 'shrink':
        return [
          'shrink',
          `shrinking: ${event.steps} steps (${event.tried} tried), now ${event.callers} callers / ${event.calls} calls, ` +
            `${(event.elapsedMs / 1000).toFixed(1)} s of ${(event.budgetMs / 1000).toFixed(0)} s`,
        ];
      case 'replay':
        return ['replay', `replaying the counterexample: ${event.done}/${event.of}, ${event.reproduced} reproduced`];
      case 'found':
        return null;
    }
  }
}
