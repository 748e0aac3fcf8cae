import type { ServerActivity } from '../server/activity.js';

/** What the watch asks the run about itself. */
export interface QuietProbe {
  /** Calls issued and not settled. */
  outstanding(): number;
  /** The schedule still has something to do: held responses, an idle gap under way, an abort settling. */
  busy(): boolean;
  /** When a call was last issued or settled. */
  lastCallEventAt(): number;
  /** Extra quiet that is legitimate now (the server told a pending caller to retry after some seconds). */
  allowanceMs(): number;
  activity(): ServerActivity;
}

/**
 * Finds a hang by quiescence: calls are pending, yet nothing is happening or due — the server has seen no socket,
 * handshake or request for `quietMs`, owes no planned write, and the schedule has nothing left to release. Then
 * nothing ever will happen, and waiting for the deadline would only cost time.
 *
 * Two guards keep it from crying wolf on a stalled machine: a check whose timer fired late (the event loop was
 * blocked) decides nothing, and a quiet seen is confirmed after one more poll phase, so I/O that piled up during a
 * stall is processed before the verdict.
 */
export function watchForQuiet(probe: QuietProbe, quietMs: number): { hung: Promise<number>; stop: () => void } {
  const period = Math.max(5, Math.floor(quietMs / 5));
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let resolveHung: (quietFor: number) => void = () => undefined;
  const hung = new Promise<number>((resolve) => (resolveHung = resolve));

  const quietFor = (): number | null => {
    if (probe.outstanding() === 0 || probe.busy()) return null;
    const activity = probe.activity();
    if (activity.handshakesInFlight > 0 || activity.plannedInFlight > 0) return null;
    const quiet = performance.now() - Math.max(activity.lastEventAt, probe.lastCallEventAt());
    return quiet >= quietMs + probe.allowanceMs() ? quiet : null;
  };

  const arm = (): void => {
    const due = performance.now() + period;
    timer = setTimeout(() => {
      if (stopped) return;
      const late = performance.now() - due;
      if (late > quietMs / 2 || quietFor() === null) return arm();
      setImmediate(() => {
        if (stopped) return;
        const confirmed = quietFor();
        if (confirmed === null) return arm();
        stopped = true;
        resolveHung(Math.round(confirmed));
      });
    }, period);
  };
  arm();
  return {
    hung,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
