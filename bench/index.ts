import { serverThroughput } from './server-throughput.js';
import { verifyThroughput } from './verify-throughput.js';
import { detection } from './detection.js';
import { laneBreakdown } from './lane-breakdown.js';

/** One benchmark: prints its own table; never asserts (numbers are for people, not CI). */
export interface Bench {
  name: string;
  run(): Promise<void>;
}

/** Every benchmark, run in turn. Adding one is an import above and an entry here. */
const BENCHES: readonly Bench[] = [serverThroughput, verifyThroughput, laneBreakdown, detection];

for (const bench of BENCHES) {
  console.log(`\n## ${bench.name}\n`);
  await bench.run();
}
