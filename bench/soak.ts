/**
 * The large counts the issues ask for, outside `npm test`, each a section (`--only a,b` picks some):
 *   clients  every built-in correct client through 200 plain and 500 faulted runs, zero violations expected
 *   fuzz     10⁵ malformed requests and byte streams with well-formed traffic alongside: 0 crashes, 0 wrong answers
 *   shared   10⁶ requests through one shared client, faults on, history streamed to disk: RSS and µs per request
 *   verify   `crosstalk verify --runs N` for 10³, 10⁴, 10⁵, each its own process: peak RSS, runs/s, the RSS curve
 * `npm run soak [-- --only fuzz,shared] [-- --plain N --faulted N --client a,b --fuzz N --requests N --runs 1000,10000]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BUILTIN_CLIENT_NAMES } from '../src/clients/registry.js';
import { clientSoak } from './client-soak.js';
import { fuzzSoak } from './fuzz-soak.js';
import { sharedClientSoak } from './shared-client-soak.js';
import { verifyRss } from './verify-rss.js';

const SECTIONS = ['clients', 'fuzz', 'shared', 'verify'] as const;
const { values } = parseArgs({
  options: {
    only: { type: 'string', default: SECTIONS.join(',') },
    plain: { type: 'string', default: '200' },
    faulted: { type: 'string', default: '500' },
    client: { type: 'string', default: BUILTIN_CLIENT_NAMES.join(',') },
    seed: { type: 'string', default: '20261125' },
    fuzz: { type: 'string', default: '100000' },
    requests: { type: 'string', default: '1000000' },
    runs: { type: 'string', default: '1000,10000,100000' },
  },
});
const seed = Number(values.seed);
const only = new Set(values.only.split(','));
let failed = false;
const mb = (value: number) => value.toFixed(0);

console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, node ${process.version}`);

if (only.has('clients')) {
  console.log('\n## every built-in client, plain and faulted\n');
  if (!(await clientSoak(values.client.split(','), Number(values.plain), Number(values.faulted), seed))) failed = true;
}

if (only.has('fuzz')) {
  console.log(`\n## malformed input at volume (${values.fuzz} inputs, seed ${seed})\n`);
  const fuzz = await fuzzSoak(Number(values.fuzz), seed, (sent) => {
    if (sent % 10_000 < 4) console.error(`  fuzz: ${sent} inputs`);
  });
  console.log('| malformed inputs | rounds | well-formed requests alongside | wrong answers | crashes | server up at the end | seconds | peak RSS MB |');
  console.log('|---:|---:|---:|---:|---:|---|---:|---:|');
  console.log(
    `| ${fuzz.inputs} | ${fuzz.rounds} | ${fuzz.wellFormed} | ${fuzz.problemCount} | ${fuzz.crashes} | ${fuzz.aliveAtEnd ? 'yes' : 'NO'} | ` +
      `${fuzz.seconds.toFixed(0)} | ${mb(fuzz.maxRssMb)} |`,
  );
  console.log(`\nby kind: ${Object.entries(fuzz.byKind).map(([kind, n]) => `${kind} ${n}`).join(', ')}`);
  for (const problem of fuzz.problems) console.log(`  - ${problem}`);
  if (fuzz.problemCount > 0 || fuzz.crashes > 0 || !fuzz.aliveAtEnd) failed = true;
}

if (only.has('shared')) {
  const total = Number(values.requests);
  const marks = [10_000, 100_000, 1_000_000].filter((n) => n < total).concat(total);
  console.log(`\n## ${total} requests through one shared client, every fault on, history streamed to disk\n`);
  const dir = await mkdtemp(join(tmpdir(), 'crosstalk-soak-'));
  try {
    const shared = await sharedClientSoak(marks, seed, dir, (point) =>
      console.error(`  shared: ${point.requests} requests, ${point.seconds.toFixed(0)} s, RSS ${mb(point.rssMb)} MB`),
    );
    console.log(`${shared.callers} callers, one undici-pool client (${shared.connections} connections), seed ${seed}\n`);
    console.log('| requests | seconds | µs per request | µs per request in this decade | RSS MB | peak RSS MB | heap MB | history on disk MB |');
    console.log('|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const p of shared.checkpoints) {
      console.log(
        `| ${p.requests} | ${p.seconds.toFixed(1)} | ${p.usPerRequest.toFixed(0)} | ${p.usPerRequestSinceLast.toFixed(0)} | ` +
          `${mb(p.rssMb)} | ${mb(p.maxRssMb)} | ${mb(p.heapMb)} | ${mb(p.historyMb)} |`,
      );
    }
    console.log(`\noutcomes: ${Object.entries(shared.outcomes).map(([o, n]) => `${o} ${n}`).join(', ')}`);
    console.log(`replies carrying another request's id: ${shared.foreignReplies}`);
    if (shared.foreignReplies > 0) failed = true;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (only.has('verify')) {
  // One process per count: the peak of `--runs N` is what a user running N sees; the largest also gives the curve.
  const counts = values.runs.split(',').map(Number);
  const common = ['--callers', '16', '--ops', '4', '--seed', String(seed), '--time-budget-ms', '86400000'];
  console.log(`\n## crosstalk verify --runs ${counts.join(' | ')} ${common.join(' ')} (own process, RSS from /proc)\n`);
  const peaks: string[] = [];
  let curve: string[] = [];
  for (const runs of counts) {
    const result = await verifyRss(['--runs', String(runs), ...common], (point) =>
      console.error(`  verify --runs ${runs}: ${point.runs} runs, RSS ${mb(point.rssMb)} MB, ${point.runsPerSecond.toFixed(1)} runs/s`),
    );
    peaks.push(`| ${runs} | ${result.seconds.toFixed(0)} | ${(runs / result.seconds).toFixed(1)} | ${mb(result.peakMb)} | ${result.exitCode} |`);
    curve = result.points.map(
      (p) => `| ${p.runs} | ${p.seconds.toFixed(0)} | ${mb(p.rssMb)} | ${mb(p.peakMb)} | ${p.runsPerSecond.toFixed(1)} |`,
    );
    if (result.exitCode !== 0) failed = true;
  }
  console.log('| --runs | seconds (process) | runs/s | peak RSS MB | exit |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const line of peaks) console.log(line);
  console.log(`\nthe largest, at each progress line of verify (every 5 s; target: peak < 300 MB, runs/s flat):\n`);
  console.log('| runs | seconds | RSS MB | peak RSS MB so far | runs/s since the previous line |');
  console.log('|---:|---:|---:|---:|---:|');
  for (const line of curve) console.log(line);
}

process.exitCode = failed ? 1 : 0;
