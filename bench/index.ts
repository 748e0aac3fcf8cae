import { serverThroughput } from './server-throughput.js';
import { verifyThroughput } from './verify-throughput.js';
import { detection } from './detection.js';
import { gate } from './gate.js';
import { laneBreakdown } from './lane-breakdown.js';
import type { Bench } from './bench.js';

/** Every benchmark, run in turn. Adding one is an import above and an entry here. */
const BENCHES: readonly Bench[] = [serverThroughput, verifyThroughput, laneBreakdown, detection, gate];

for (const bench of BENCHES) {
  console.log(`\n## ${bench.name}\n`);
  await bench.run();
}
