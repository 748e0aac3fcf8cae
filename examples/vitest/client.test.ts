import { verify } from 'crosstalk';
import { crosstalkTest } from 'crosstalk/vitest';
import { expect, test } from 'vitest';
import createClient from './my-client.mjs';

const client = { factory: createClient, client: './my-client.mjs', connections: 2, callers: 6, ops: 4 };

// The whole property as one test. On a violation it prints the replay command, writes the HTML timeline and the
// saved result to .crosstalk/ beside this file (`npx crosstalk check .crosstalk/<name>.json` re-checks it), and fails
// with the whole report.
crosstalkTest('our shared client is safe to share between concurrent callers', { ...client, runs: 30, seed: 42 });

// The matchers, one per invariant, on a verification's result (or any run's history): each fails with the
// violation in words and the replay command.
test('our shared client, invariant by invariant', async () => {
  const result = await verify({ ...client, runs: 10, seed: 7 });
  expect(result).toHaveNoCrossTalk();
  expect(result).toStayWithinPoolBound();
  expect(result).toReuseSockets();
  expect(result).toRunEachCallExactlyOnce();
  expect(result).toIsolateTenants();
  expect(result).toCloseCleanly();
});
