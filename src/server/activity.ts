/**
 * What the server is doing now, for the engine's quiescence check: when it last saw anything (a socket, a handshake,
 * a request, a response finished, a close), how many handshakes are under way, and how many planned responses still
 * owe writes on a timer of the server's own (a delay, a drip). Counting only, on the hot path.
 */
export interface ServerActivity {
  readonly lastEventAt: number;
  readonly handshakesInFlight: number;
  readonly plannedInFlight: number;
  /** Of those, the ones in a planned wait on the wall clock now (a slow head, a body delay, a drip). */
  readonly pausedInFlight: number;
}

export class ActivityMeter implements ServerActivity {
  lastEventAt = performance.now();
  handshakesInFlight = 0;
  plannedInFlight = 0;
  pausedInFlight = 0;

  touch(): void {
    this.lastEventAt = performance.now();
  }

  snapshot(): ServerActivity {
    return {
      lastEventAt: this.lastEventAt,
      handshakesInFlight: this.handshakesInFlight,
      plannedInFlight: this.plannedInFlight,
      pausedInFlight: this.pausedInFlight,
    };
  }
}
