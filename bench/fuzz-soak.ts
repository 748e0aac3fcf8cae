import fc from 'fast-check';
import type { BadInput } from '../test/server/support/malformed-inputs.js';
import {
  badRoundArbitrary,
  malformedRound,
  startFuzzTarget,
  stopFuzzTarget,
  wellFormed,
} from '../test/server/support/malformed-inputs.js';

/**
 * The malformed-input property of `npm test` at volume: the same generators and judgement
 * (test/server/support/malformed-inputs.ts), rounds of 1-4 malformed requests or byte streams with 4 well-formed
 * requests through one shared pool alongside, until `inputs` malformed inputs have been sent.
 */
export interface FuzzSoakResult {
  inputs: number;
  byKind: Record<string, number>;
  rounds: number;
  wellFormed: number;
  /** Wrong answers, wrong records, or well-formed requests answered wrongly: every one is listed (first 20). */
  problems: string[];
  problemCount: number;
  /** Uncaught exceptions or unhandled rejections in the process, and whether the server still answered at the end. */
  crashes: number;
  aliveAtEnd: boolean;
  seconds: number;
  maxRssMb: number;
}

const DB = 'foundbite';
const MAX_BODY = 64 * 1024;
/** Rounds generated at a time (fc.sample, seed + batch number: the same seed gives the same inputs). */
const BATCH = 500;
/** Rounds in flight at once: enough to keep both ends of the TLS handshakes busy. */
const IN_FLIGHT = 4;
const GOOD_PER_ROUND = 4;

export async function fuzzSoak(inputs: number, seed: number, onProgress?: (sent: number) => void): Promise<FuzzSoakResult> {
  let crashes = 0;
  const crashed = (error: unknown): void => {
    crashes += 1;
    console.error(`fuzz soak: uncaught ${String(error)}`);
  };
  process.on('uncaughtException', crashed);
  process.on('unhandledRejection', crashed);
  const target = await startFuzzTarget(DB, MAX_BODY);
  const arbitrary = badRoundArbitrary(target);
  const byKind: Record<string, number> = {};
  const problems: string[] = [];
  let problemCount = 0;
  let sent = 0;
  let rounds = 0;
  const started = performance.now();
  try {
    for (let batch = 0; sent < inputs; batch += 1) {
      const queue: BadInput[][] = fc.sample(arbitrary, { seed: seed + batch, numRuns: BATCH });
      const worker = async (): Promise<void> => {
        while (sent < inputs && queue.length > 0) {
          const round = queue.shift()!.slice(0, inputs - sent);
          sent += round.length;
          rounds += 1;
          for (const input of round) byKind[input.kind] = (byKind[input.kind] ?? 0) + 1;
          const found = await malformedRound(target, round, GOOD_PER_ROUND);
          problemCount += found.length;
          if (problems.length < 20) problems.push(...found.slice(0, 20 - problems.length));
          onProgress?.(sent);
        }
      };
      await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    }
    const last = await wellFormed(target);
    return {
      inputs: sent,
      byKind,
      rounds,
      wellFormed: target.nextGood,
      problems: [...problems, ...last],
      problemCount: problemCount + last.length,
      crashes,
      aliveAtEnd: last.length === 0,
      seconds: (performance.now() - started) / 1_000,
      maxRssMb: process.resourceUsage().maxRSS / 1_024,
    };
  } finally {
    await stopFuzzTarget(target);
    process.off('uncaughtException', crashed);
    process.off('unhandledRejection', crashed);
  }
}
