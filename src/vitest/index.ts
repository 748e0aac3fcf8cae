/**
 * crosstalk inside vitest (`import 'crosstalk/vitest'`): matchers on a history or a verification result, registered
 * on import, and `crosstalkTest`, a verification as one test. vitest is the user's own (a peer dependency): only
 * this entry imports it, never `crosstalk` itself.
 */
// A bare import keeps `vitest` in the emitted declarations too: the augmentation below needs it there to merge.
import 'vitest';
import { expect } from 'vitest';
import type { CrosstalkMatchers } from './matchers.js';
import { crosstalkMatchers } from './matchers.js';

expect.extend(crosstalkMatchers);

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type, @typescript-eslint/no-explicit-any, @typescript-eslint/no-unused-vars
  interface Assertion<T = any> extends CrosstalkMatchers<void> {}
}

export { crosstalkTest, CrosstalkTestFailure } from './crosstalk-test.js';
export type { CrosstalkTestOptions } from './crosstalk-test.js';
export { crosstalkMatchers, MATCHER_INVARIANTS } from './matchers.js';
export type { CrosstalkMatchers } from './matchers.js';
export type { HistoryLike } from './history-verdicts.js';
