import type { FoundFailure } from './failure.js';

/**
 * What a verification tells whoever watches it, as it happens: the CLI's progress display and its early report of
 * a failure are built from these, and so are the lanes' messages to the main thread. Plain data.
 */
export type VerifyEvent =
  /** A search run finished (`run` of at most `runs`). */
  | { type: 'search'; run: number; runs: number; elapsedMs: number }
  /** The first failing run, before shrinking: print it now, so a CI log has it even if the job is killed. */
  | { type: 'found'; failure: FoundFailure; lane?: number }
  /** A shrink candidate was tried; `accepted` when it was smaller and still failed (twice). */
  | {
      type: 'shrink';
      steps: number;
      tried: number;
      accepted: boolean;
      callers: number;
      calls: number;
      elapsedMs: number;
      budgetMs: number;
    }
  /** The final counterexample was replayed `done` of `of` times so far, `reproduced` of them failing again. */
  | { type: 'replay'; done: number; of: number; reproduced: number };

export type VerifyEventListener = (event: VerifyEvent) => void;
