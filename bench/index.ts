import { serverThroughput } from './server-throughput.js';
import { verifyThroughput } from './verify-throughput.js';
import { detection, moreFaultsDetection } from './detection.js';
import { gate } from './gate.js';
import { laneBreakdown } from './lane-breakdown.js';
import type { Bench } from './bench.js';

/** Every benchmark, run in turn. Adding one is an import above and an entry here. */
const BENCHES: readonly Bench[] = [serverThroughput, verifyThroughput, laneBreakdown, detection, moreFaultsDetection, gate];

/** `npm run bench -- <words>`: only the benchmarks whose name contains one of the words. */
const only = process.argv.slice(2);
for (const bench of BENCHES.filter((b) => only.length === 0 || only.some((word) => b.name.includes(word)))) {
  console.log(`\n## ${bench.name}\n`);
  await bench.run();
}
