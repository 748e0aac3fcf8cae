import { splitCommandLine } from '../clients/exec/command-line.js';
import type { ExecClientSettings } from '../clients/exec/exec-client.js';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { OWN_TIMEOUT_FACTOR } from '../check/own-timeout.js';
import { SILENCE_FAULTS } from '../scenario/fault-names.js';
import { faultNames } from '../scenario/faults.js';

/** Everything `verify` can be told, as given (strings from the CLI, numbers from code). */
export interface VerifyInput {
  client?: string;
  connections?: string | number;
  callers?: string | number;
  ops?: string | number;
  runs?: string | number;
  seed?: string | number;
  path?: string;
  /** true = every fault; a list or comma-separated names = those faults; absent = none. */
  faults?: boolean | string | string[];
  timeoutMs?: string | number;
  deadlineMs?: string | number;
  /** Pending calls with nothing happening for this long are hung. */
  quietMs?: string | number;
  timeBudgetMs?: string | number;
  /** Budget for shrinking, from the first failure. */
  shrinkBudgetMs?: string | number;
  /** Replays of the final counterexample that check it reproduces (0 skips the check). */
  checkReplay?: string | number;
  json?: string;
  /** Where to write the HTML report (the timeline of the counterexample). */
  report?: string;
  /** Worker-thread lanes, each with its own server, client and seed (base seed + lane). */
  lanes?: string | number;
  /** A worker command speaking the worker protocol (`--exec "CMD ARGS"`): the client under test in any language. */
  exec?: string;
  /** Stream every run's joined history to this JSONL file. */
  history?: string;
  /** `k/n`: run only shard k of n, which is lane k-1 of an n-lane verification (`crosstalk merge` joins them). */
  shard?: string | { index: number; count: number };
}

/** `--exec`: the command as given (for messages and the replay command), its words, and the worker's bounds. */
export type ExecConfig = Omit<ExecClientSettings, 'callers'>;

/** Resolved and validated: the only place defaults live. */
export interface VerifyConfig {
  client: string;
  connections: number;
  callers: number;
  opsPerCaller: number;
  runs: number;
  seed: number;
  path: string | undefined;
  faults: string[] | null;
  timeoutMs: number;
  deadlineMs: number;
  quietMs: number;
  closeBoundMs: number;
  graceMs: number;
  timeBudgetMs: number;
  shrinkBudgetMs: number;
  checkReplay: number;
  json: string | undefined;
  report: string | undefined;
  lanes: number;
  /** null: the client is a module (`client`); otherwise a worker process speaking the worker protocol. */
  exec: ExecConfig | null;
  history: string | undefined;
  /** 1-based shard index and the shard count; undefined when the whole verification runs here. */
  shard: ShardSpec | undefined;
}

export interface ShardSpec {
  index: number;
  count: number;
}

/** Most shards one verification may be split into (a CI matrix is a few dozen jobs at most). */
export const MAX_SHARDS = 1_000;

export const DEFAULTS = {
  client: 'undici-pool',
  connections: 4,
  callers: 8,
  ops: 4,
  runs: 100,
  timeoutMs: 5_000,
  /**
   * The client's timeout when faults are on and none is given: the silences (no-response, stalled-body, accept-silent)
   * last until the client gives up, so each costs a run this long; short enough that a verification does not spend
   * seconds per fault, long enough for every answered call on a loaded 2-core machine.
   */
  faultsTimeoutMs: 250,
  deadlineMs: 4_000,
  quietMs: 200,
  closeBoundMs: 1_000,
  graceMs: 15,
  timeBudgetMs: 300_000,
  shrinkBudgetMs: 30_000,
  checkReplay: 5,
  /** A worker's first answer may wait for its interpreter to start and import its client library. */
  execStartMs: 15_000,
  execReplyMs: 5_000,
  execExitGraceMs: 2_000,
} as const;

function bad(message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.BadOption, message);
}

function integer(name: string, value: string | number | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw bad(`--${name} must be a whole number from ${min} to ${max} (got "${value}").`);
  }
  return n;
}

function faultList(value: VerifyInput['faults']): string[] | null {
  if (value === undefined || value === false) return null;
  const known = faultNames();
  if (value === true) return known;
  const names = (Array.isArray(value) ? value : value.split(',')).map((s) => s.trim()).filter(Boolean);
  if (names.length === 0 || (names.length === 1 && names[0] === 'all')) return known;
  const unknown = names.filter((n) => !known.includes(n));
  if (unknown.length > 0) throw bad(`Unknown fault ${unknown.join(', ')}. Faults: ${known.join(', ')}.`);
  return names;
}

function execConfig(input: VerifyInput): ExecConfig | null {
  if (input.exec === undefined) return null;
  const command = input.exec.trim();
  const split = splitCommandLine(command);
  if (!split.ok) throw bad(`--exec must be a command line such as "python3 worker.py --mode shared": ${split.problem}.`);
  if (input.client !== undefined && input.client.trim() !== '' && input.client.trim() !== DEFAULTS.client) {
    throw bad('--exec and --client each name the client under test: give one.');
  }
  return {
    command,
    argv: split.argv,
    startBoundMs: DEFAULTS.execStartMs,
    replyBoundMs: DEFAULTS.execReplyMs,
    exitGraceMs: DEFAULTS.execExitGraceMs,
  };
}

/** A seed when none was given: from the clock, printed first so the run can be repeated. */
export function freshSeed(): number {
  return (Date.now() ^ (process.hrtime()[1] << 7)) | 0;
}

function shardSpec(value: VerifyInput['shard']): ShardSpec | undefined {
  if (value === undefined) return undefined;
  const match = typeof value === 'string' ? /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value) : null;
  const [index, count] = typeof value === 'string' ? [Number(match?.[1]), Number(match?.[2])] : [value.index, value.count];
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS || index < 1 || index > count) {
    const shown = typeof value === 'string' ? value : `${value.index}/${value.count}`;
    throw bad(`--shard must be k/n with 1 ≤ k ≤ n ≤ ${MAX_SHARDS} (got "${shown}").`);
  }
  return { index, count };
}

/**
 * With a fault that waits for the client's own timeout, crosstalk's deadline must leave room for a correct client to
 * end those calls by that timeout, and for one that does not to be told apart (see OWN_TIMEOUT_FACTOR).
 */
function checkDeadlineFitsSilences(faults: string[] | null, timeoutMs: number, deadlineMs: number): void {
  const silences = (faults ?? []).filter((name) => SILENCE_FAULTS.has(name));
  if (silences.length === 0 || deadlineMs > OWN_TIMEOUT_FACTOR * timeoutMs) return;
  throw bad(
    `--deadline-ms (${deadlineMs}) must exceed ${OWN_TIMEOUT_FACTOR} x --timeout-ms (${timeoutMs}) when faults that wait ` +
      `for the client's own timeout are on (${silences.join(', ')}): a correct client ends those calls by its timeout, ` +
      `and crosstalk must still be watching then. Raise --deadline-ms or lower --timeout-ms (with --faults it defaults ` +
      `to ${DEFAULTS.faultsTimeoutMs} ms).`,
  );
}

export function resolveVerifyConfig(input: VerifyInput): VerifyConfig {
  const path = input.path?.trim() || undefined;
  if (path !== undefined && input.seed === undefined) throw bad('--path replays a counterexample and needs --seed.');
  if (path !== undefined && !/^\d+(:\d+)*$/.test(path)) throw bad(`--path must look like 12:0:3 (got "${path}").`);
  const exec = execConfig(input);
  const faults = faultList(input.faults);
  const timeoutMs = integer('timeout-ms', input.timeoutMs, faults === null ? DEFAULTS.timeoutMs : DEFAULTS.faultsTimeoutMs, 1, 600_000);
  const deadlineMs = integer('deadline-ms', input.deadlineMs, DEFAULTS.deadlineMs, 100, 600_000);
  checkDeadlineFitsSilences(faults, timeoutMs, deadlineMs);
  return {
    client: exec?.command ?? (input.client?.trim() || DEFAULTS.client),
    connections: integer('connections', input.connections, DEFAULTS.connections, 1, 256),
    callers: integer('callers', input.callers, DEFAULTS.callers, 1, 256),
    opsPerCaller: integer('ops', input.ops, DEFAULTS.ops, 1, 100),
    runs: integer('runs', input.runs, DEFAULTS.runs, 1, 1_000_000),
    seed: integer('seed', input.seed, freshSeed(), -(2 ** 31), 2 ** 31 - 1),
    path,
    faults,
    timeoutMs,
    deadlineMs,
    quietMs: integer('quiet-ms', input.quietMs, DEFAULTS.quietMs, 20, 600_000),
    closeBoundMs: DEFAULTS.closeBoundMs,
    graceMs: DEFAULTS.graceMs,
    timeBudgetMs: integer('time-budget-ms', input.timeBudgetMs, DEFAULTS.timeBudgetMs, 1_000, 86_400_000),
    shrinkBudgetMs: integer('shrink-budget-ms', input.shrinkBudgetMs, DEFAULTS.shrinkBudgetMs, 0, 86_400_000),
    checkReplay: integer('check-replay', input.checkReplay, DEFAULTS.checkReplay, 0, 1_000),
    json: input.json?.trim() || undefined,
    report: input.report?.trim() || undefined,
    lanes: integer('lanes', input.lanes, 1, 1, 16),
    exec,
    ...scaleOptions(input, path, integer('runs', input.runs, DEFAULTS.runs, 1, 1_000_000)),
  };
}

/** `--history` and `--shard`, and how they combine with the rest. */
function scaleOptions(input: VerifyInput, path: string | undefined, runs: number): Pick<VerifyConfig, 'history' | 'shard'> {
  const shard = shardSpec(input.shard);
  if (shard !== undefined && shard.count > runs) {
    throw bad(`--shard ${shard.index}/${shard.count} with --runs ${runs}: every shard needs at least one run.`);
  }
  if (shard !== undefined && path !== undefined) throw bad('--shard splits a verification; a --path replay runs alone.');
  if (shard !== undefined && input.lanes !== undefined && Number(input.lanes) !== 1) {
    throw bad('--shard and --lanes are alternatives: a shard is one lane of the whole verification.');
  }
  if (shard !== undefined && input.seed === undefined) {
    throw bad('--shard needs --seed: every shard of one verification must share it.');
  }
  return { history: input.history?.trim() || undefined, shard };
}
