import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateCertificate } from '../../src/server/certificate.js';
import { ConnectionTable, resetNow, type Connection } from '../../src/server/connections.js';
import { HistoryRecorder } from '../../src/server/recorder.js';

/**
 * A reset that lands after an orderly close has begun must still end the socket. The fault's reset is deferred a
 * moment (see ConnectionTable.reset); a client FIN in that moment makes node end our side. libuv refuses a reset
 * while a shutdown is pending, and node 20 then never closes the TCP handle: no 'close' event, and the process
 * spinning in its exit cleanup for ever. This is what kept `crosstalk verify --faults` alive after its report.
 */
let server: tls.Server;
let port: number;
let ca: string;
let table: ConnectionTable;
let onSecured: (connection: Connection) => void = () => undefined;

beforeAll(async () => {
  const certificate = await generateCertificate('ec');
  ca = certificate.cert;
  table = new ConnectionTable(new HistoryRecorder(), () => undefined);
  server = tls.createServer({ cert: certificate.cert, key: certificate.key });
  server.on('connection', (raw) => table.accept(raw));
  server.on('secureConnection', (socket) => onSecured(table.secured(socket)!));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** Connects a client, lets `act` handle the server side, and resolves once the server side has been handled. */
async function withServerSide(act: (connection: Connection) => void): Promise<tls.TLSSocket> {
  const handled = new Promise<void>((resolve) => {
    onSecured = (connection) => {
      act(connection);
      resolve();
    };
  });
  const client = tls.connect({ port, host: '127.0.0.1', ca, servername: 'localhost' });
  client.on('error', () => undefined);
  await handled;
  return client;
}

describe('resetting a socket', () => {
  it('closes it even when our FIN is already on its way (a shutdown pending)', async () => {
    const client = await withServerSide((connection) => {
      // end() issues the TCP shutdown at once; it completes only at the next poll.
      connection.tls!.end();
      resetNow(connection);
    });
    try {
      expect(table.size).toBe(1);
      expect(await table.whenEmpty(2_000)).toBe(true);
    } finally {
      client.destroy();
    }
  });

  it('sends a real RST when nothing else is closing it', async () => {
    let ending: Promise<string> = Promise.resolve('none');
    const client = await withServerSide((connection) => resetNow(connection));
    ending = new Promise<string>((resolve) => {
      client.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      client.once('end', () => resolve('end'));
      client.once('close', () => resolve('close'));
    });
    try {
      expect(await ending).toBe('ECONNRESET');
      expect(await table.whenEmpty(2_000)).toBe(true);
    } finally {
      client.destroy();
    }
  });
});
