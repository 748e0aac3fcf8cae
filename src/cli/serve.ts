import { existsSync, readFileSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { startMockServer, type AccountFixture } from '../server/index.js';
import type { PlanSource } from '../server/response-plan.js';
import { parsePlanFile, planFileSource, seededFaultSource } from '../server/plan-sources.js';
import { faultNames, SILENCE_TIMEOUTS } from '../scenario/faults.js';

/** The client timeout `serve --faults` assumes when not told: its silences then last 4 s. */
const DEFAULT_SERVE_CLIENT_TIMEOUT_MS = 1_000;
import { freshSeed } from '../verify/config.js';

export interface ServeOptions {
  port: number;
  fixtures?: string;
  history?: string;
  /** A plan file: response plans by request id or id prefix. */
  plan?: string;
  /** Faults drawn per request id: true for all, or a comma-separated list. */
  faults?: boolean | string;
  seed?: string;
  /** With --faults: the client's own timeout, which the silences are drawn to outlast. */
  clientTimeoutMs?: string;
}

/** The one line `serve` prints: everything a client in any language needs to talk to the mock. */
export interface ServeAnnouncement {
  origin: string;
  caFile: string;
  accounts: AccountFixture[];
  admin: { name: string; password: string };
  /** How responses are shaped: plain, a plan file, or seeded faults (with the seed to repeat them). */
  plans:
    | { kind: 'plain' }
    | { kind: 'file'; file: string }
    | { kind: 'seeded-faults'; seed: number; faults: string[]; clientTimeoutMs: number };
}

function resolvePlans(options: ServeOptions): { source: PlanSource | undefined; described: ServeAnnouncement['plans'] } {
  if (options.plan !== undefined && options.faults !== undefined) {
    throw new ConfigError(ConfigErrorCode.BadOption, '--plan and --faults are alternatives: give one.');
  }
  if (options.plan !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.plan, 'utf8');
    } catch {
      throw new ConfigError(ConfigErrorCode.BadOption, `cannot read the plan file ${options.plan}.`);
    }
    return { source: planFileSource(parsePlanFile(text)), described: { kind: 'file', file: options.plan } };
  }
  if (options.faults !== undefined && options.faults !== false) {
    const known = faultNames();
    const names = options.faults === true ? known : options.faults.split(',').map((n: string) => n.trim()).filter(Boolean);
    const unknown = names.filter((n: string) => !known.includes(n));
    if (unknown.length > 0) {
      throw new ConfigError(ConfigErrorCode.BadOption, `Unknown fault ${unknown.join(', ')}. Faults: ${known.join(', ')}.`);
    }
    if (options.seed !== undefined && !/^-?\d+$/.test(options.seed)) {
      throw new ConfigError(ConfigErrorCode.BadOption, `--seed must be a whole number (got "${options.seed}").`);
    }
    const seed = options.seed === undefined ? freshSeed() : Number(options.seed);
    const clientTimeoutMs = options.clientTimeoutMs === undefined ? DEFAULT_SERVE_CLIENT_TIMEOUT_MS : Number(options.clientTimeoutMs);
    if (!/^\d+$/.test(options.clientTimeoutMs ?? '1') || clientTimeoutMs < 1 || clientTimeoutMs > 600_000) {
      throw new ConfigError(
        ConfigErrorCode.BadOption,
        `--client-timeout-ms must be a whole number from 1 to 600000 (got "${options.clientTimeoutMs}").`,
      );
    }
    return {
      source: seededFaultSource(seed, names, { clientTimeoutMs }),
      described: { kind: 'seeded-faults', seed, faults: names, clientTimeoutMs },
    };
  }
  return { source: undefined, described: { kind: 'plain' } };
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) throw new InvalidArgumentError('expected an integer from 0 to 65535.');
  return port;
}

function parseDirectory(value: string): string {
  if (!existsSync(value) || !statSync(value).isDirectory()) throw new InvalidArgumentError('not a directory.');
  return value;
}

/** Resolves with the name of the first of SIGINT/SIGTERM the process receives. */
function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const signals = ['SIGINT', 'SIGTERM'] as const;
    const handlers = signals.map((signal) => {
      const handler = (): void => {
        signals.forEach((other, index) => process.off(other, handlers[index]!));
        resolve(signal);
      };
      process.once(signal, handler);
      return handler;
    });
  });
}

/**
 * Serve until `stop` resolves: announce on `out`, then close and flush the history. The history is streamed only
 * (nothing is kept in memory), so a long session stays small.
 */
export async function serve(
  options: ServeOptions,
  io: { out: (line: string) => void; stop: Promise<unknown> },
): Promise<void> {
  const plans = resolvePlans(options);
  const server = await startMockServer({
    port: options.port,
    ...(options.fixtures === undefined ? {} : { fixturesDir: options.fixtures }),
    ...(options.history === undefined ? {} : { historyFile: options.history }),
    retainHistory: false,
    ...(plans.source === undefined ? {} : { plans: plans.source }),
  });
  try {
    const announcement: ServeAnnouncement = {
      origin: server.origin,
      caFile: await server.caFile(),
      accounts: server.couch.accounts(),
      admin: server.couch.admin(),
      plans: plans.described,
    };
    io.out(JSON.stringify(announcement));
    await io.stop;
  } finally {
    await server.close();
  }
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('serve the mock Cloudant over TLS on 127.0.0.1 until SIGINT/SIGTERM; print one JSON line to connect')
    .option('--port <n>', 'port to listen on (0: any free port)', parsePort, 0)
    .option('--fixtures <dir>', 'fixtures directory (accounts.json and databases/)', parseDirectory)
    .option('--history <file>', 'stream the server history to this JSONL file')
    .option('--plan <file>', 'response plans by request id: {"requests": {id: plan}, "prefixes": {prefix: plan}}')
    .option('--faults [names]', `a fault per request id, drawn from the seed: all, or some of ${faultNames().join(',')}`)
    .option('--seed <n>', 'seed for --faults (printed in the announcement when not given)')
    .option(
      '--client-timeout-ms <n>',
      `with --faults: your client's own timeout; silences last ${SILENCE_TIMEOUTS}x it (default ${DEFAULT_SERVE_CLIENT_TIMEOUT_MS})`,
    )
    .action(async (options: ServeOptions) => {
      await serve(options, { out: (line) => process.stdout.write(`${line}\n`), stop: stopSignal() });
    });
}
