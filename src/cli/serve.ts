import { existsSync, statSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { startMockServer, type AccountFixture } from '../server/index.js';

export interface ServeOptions {
  port: number;
  fixtures?: string;
  history?: string;
}

/** The one line `serve` prints: everything a client in any language needs to talk to the mock. */
export interface ServeAnnouncement {
  origin: string;
  caFile: string;
  accounts: AccountFixture[];
  admin: { name: string; password: string };
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
  const server = await startMockServer({
    port: options.port,
    ...(options.fixtures === undefined ? {} : { fixturesDir: options.fixtures }),
    ...(options.history === undefined ? {} : { historyFile: options.history }),
    retainHistory: false,
  });
  try {
    const announcement: ServeAnnouncement = {
      origin: server.origin,
      caFile: await server.caFile(),
      accounts: server.couch.accounts(),
      admin: server.couch.admin(),
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
    .action(async (options: ServeOptions) => {
      await serve(options, { out: (line) => process.stdout.write(`${line}\n`), stop: stopSignal() });
    });
}
