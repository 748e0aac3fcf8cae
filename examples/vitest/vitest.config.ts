import { defineConfig } from 'vitest/config';

export default defineConfig({
  // A verification is a few seconds of real traffic against the mock; crosstalkTest sets its own deadline.
  test: { include: ['*.test.ts'], testTimeout: 60_000 },
});
