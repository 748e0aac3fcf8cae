/**
 * The README's table "Is a shared requests Session thread-safe?": every Python worker and mode, on each Python that
 * has its library, through `crosstalk verify --exec` (the CLI, as a user runs it), plain and with every fault on.
 * `npm run verdicts [-- --runs N] [-- --seed S] [-- --only substring] [-- --except fault,fault]`. Prints a markdown table, then the replay
 * command of every violation. Heavy: run it under the shared lock.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { faultNames } from '../src/scenario/faults.js';
import type { VerifyResult } from '../src/verify/verify.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '60' },
    seed: { type: 'string', default: '20261201' },
    only: { type: 'string', default: '' },
    /** Faults left out of the faulted column (comma-separated), to see what else a client does. */
    except: { type: 'string', default: '' },
  },
});
const left = values.except.split(',').filter(Boolean);
const faultArgs = left.length === 0 ? ['--faults'] : ['--faults', faultNames().filter((name) => !left.includes(name)).join(',')];

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'dist/src/cli.js');
const PATH_PYTHON = 'python3';
const DEBIAN = '/usr/bin/python3';

interface Row {
  label: string;
  command: string;
  args?: string[];
}

const requests = (python: string, mode: string, extra = ''): Row => ({
  label: `requests \`--mode ${mode}${extra}\``,
  command: `${python} examples/python/requests_worker.py --mode ${mode}${extra}`,
});
const ROWS: Row[] = [
  ...[PATH_PYTHON, DEBIAN].flatMap((python) => [
    requests(python, 'shared'),
    requests(python, 'per-call'),
    requests(python, 'small-pool-nonblocking'),
    requests(python, 'small-pool-nonblocking', ' --trust-maxsize'),
    requests(python, 'small-pool-blocking'),
  ]),
  { label: 'httpx, one shared `Client`', command: `${DEBIAN} examples/python/httpx_worker.py` },
  { label: 'aiohttp, one shared `ClientSession`', command: `${DEBIAN} examples/python/aiohttp_worker.py` },
  { label: 'the seed app under gunicorn `--threads 8`', command: `${DEBIAN} examples/python/gunicorn_worker.py` },
].filter((row) => row.command.includes(values.only));

interface Outcome {
  code: number | null;
  result: VerifyResult | null;
  err: string;
}

async function verify(command: string, faults: boolean): Promise<Outcome> {
  const dir = await mkdtemp(join(tmpdir(), 'crosstalk-verdicts-'));
  const json = join(dir, 'result.json');
  const args = [
    cli, 'verify', '--exec', command, '--runs', values.runs, '--seed', values.seed,
    '--shrink-budget-ms', '10000', '--check-replay', '0', '--json', json, ...(faults ? faultArgs : []),
  ];
  try {
    const code = await new Promise<{ code: number | null; err: string }>((resolve) => {
      execFile(process.execPath, args, { cwd: root, timeout: 900_000, maxBuffer: 64 * 1024 * 1024 }, (error, _out, err) =>
        resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : null, err }),
      );
    });
    const result = await readFile(json, 'utf8').then((text) => JSON.parse(text) as VerifyResult, () => null);
    return { ...code, result };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function cell(outcome: Outcome): string {
  const { result } = outcome;
  if (result === null) return `exit ${outcome.code}: ${outcome.err.split('\n').find((l) => l.startsWith('error:')) ?? 'no result'} | | | |`;
  const figure = (id: string, name: string) => result.invariants.find((i) => i.invariant === id)?.figures[name] ?? 0;
  const violated = result.invariants.filter((i) => i.status === 'violated').map((i) => i.invariant);
  const handshakes = figure('reuse', 'handshakes');
  const calls = figure('exactly-once', 'calls');
  const verdict = result.verdict === 'safe' ? 'safe' : result.verdict === 'violated' ? '**NOT SAFE**' : result.verdict;
  return [
    `${verdict} (${result.runs} runs)`,
    violated.length === 0 ? '—' : violated.join(', '),
    `${figure('reuse', 'sockets')} (max ${figure('pool-bound', 'maxOpenSockets')} open)`,
    String(handshakes),
    calls === 0 ? '—' : (handshakes / calls).toFixed(2),
  ].join(' | ');
}

function describe(result: VerifyResult | null): string {
  const match = /\(([^()]*(?:\([^()]*\))?[^()]*)\)$/.exec(result?.client ?? '');
  return match?.[1]?.split(', ').filter((part) => !part.startsWith('/') && !part.startsWith('--mode')).join(', ') ?? '?';
}

console.log(
  `seed ${values.seed}, ${values.runs} runs each, defaults otherwise (pool 4, up to 8 callers × 4 ops)` +
    `${left.length === 0 ? '' : `; faulted column without ${left.join(', ')}`}; a NOT SAFE row's figures cover the runs up to its first failure\n`,
);
console.log('| worker and mode | client, runtime | plain: verdict | violations | sockets | handshakes | per call | `--faults`: verdict | violations | sockets | handshakes | per call |');
console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
const replays: string[] = [];
for (const row of ROWS) {
  const plain = await verify(row.command, false);
  const faulted = await verify(row.command, true);
  console.log(`| ${row.label} | ${describe(plain.result ?? faulted.result)} | ${cell(plain)} | ${cell(faulted)} |`);
  for (const [mode, outcome] of [['plain', plain], ['faults', faulted]] as const) {
    const failure = outcome.result?.failure;
    if (failure == null) continue;
    const words = failure.checks.flatMap((c) => c.violations.map((v) => `    [${v.invariant}] ${v.message}`)).slice(0, 3);
    replays.push(`${row.command} (${mode}):\n  ${failure.replay}\n${words.join('\n')}`);
  }
}
console.log('\nReplays:\n');
console.log(replays.join('\n\n'));
