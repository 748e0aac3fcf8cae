import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Operation } from '../../src/clients/contract.js';
import {
  BUILTIN_CLIENT_NAMES,
  DEFAULT_CLIENT,
  describeImportFailure,
  isBuiltinClient,
  loadClient,
} from '../../src/clients/registry.js';
import { ConfigError, CrosstalkError } from '../../src/errors.js';

const fixtures = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures');
const relative = (file: string): string => `./${path.relative(process.cwd(), path.join(fixtures, file))}`;

const options = { origin: 'https://127.0.0.1:1', ca: 'PEM', connections: 2, timeoutMs: 1000 };
const operation: Operation = {
  kind: 'get',
  db: 'foundbite',
  params: { limit: 1 },
  requestId: 'req-1',
  credentials: { username: 'u', password: 'p' },
  signal: new AbortController().signal,
};

async function configError(spec: string): Promise<ConfigError> {
  const error: unknown = await loadClient(spec).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ConfigError);
  expect(error).toBeInstanceOf(CrosstalkError);
  return error as ConfigError;
}

describe('loadClient', () => {
  it('knows every built-in by name, undici-pool first as the default', async () => {
    expect(DEFAULT_CLIENT).toBe('undici-pool');
    expect(BUILTIN_CLIENT_NAMES).toEqual(['undici-pool', 'undici-agent', 'fetch', 'node-https', 'nano', 'cloudant', 'per-call']);
    for (const name of BUILTIN_CLIENT_NAMES) {
      const loaded = await loadClient(name);
      expect(loaded.name).toBe(name);
      expect(typeof loaded.factory).toBe('function');
    }
    expect(isBuiltinClient('toString')).toBe(false);
  });

  it('loads a module by absolute path and by path relative to the working directory', async () => {
    for (const spec of [path.join(fixtures, 'echo-client.mjs'), relative('echo-client.mjs')]) {
      const loaded = await loadClient(spec);
      expect(loaded.name).toBe(spec);
      const client = await loaded.factory(options);
      const result = await client.run(operation);
      expect(result).toEqual({ status: 200, requestId: 'req-1', body: expect.stringContaining('"kind":"get"') as unknown });
      await client.close();
    }
  });

  it('accepts a named createClient export, a CommonJS module and (under vitest) TypeScript', async () => {
    const bodies: string[] = [];
    for (const file of ['named-create-client.mjs', 'commonjs-client.cjs', 'typed-client.ts']) {
      const client = await (await loadClient(relative(file))).factory(options);
      bodies.push((await client.run(operation)).body);
    }
    expect(bodies).toEqual(['', 'cjs', 'typed']);
  });

  it('rejects an unknown name with CROSSTALK_UNKNOWN_CLIENT and lists the built-ins', async () => {
    const error = await configError('undici-poll');
    expect(error.code).toBe('CROSSTALK_UNKNOWN_CLIENT');
    expect(error.message).toContain('undici-pool');
    expect(error.message).toContain('module path');
  });

  it('rejects a missing file and a module that fails to import with CROSSTALK_CLIENT_MODULE', async () => {
    const missing = await configError('./no/such/client.mjs');
    expect(missing.code).toBe('CROSSTALK_CLIENT_MODULE');
    expect(missing.message).toContain('not found');
    const broken = await configError(relative('throws-on-import.mjs'));
    expect(broken.code).toBe('CROSSTALK_CLIENT_MODULE');
    expect(broken.message).toContain('this client module is broken');
    expect(broken.cause).toBeInstanceOf(Error);
  });

  it('rejects a module without a factory with CROSSTALK_CLIENT_EXPORT, naming what it does export', async () => {
    const error = await configError(relative('no-factory.mjs'));
    expect(error.code).toBe('CROSSTALK_CLIENT_EXPORT');
    expect(error.message).toContain('exports name');
    expect(error.name).toBe('ConfigError');
  });

  it('explains that a .ts module needs vitest or tsx when plain node cannot load it', () => {
    const unknownExtension = Object.assign(new TypeError('Unknown file extension ".ts"'), {
      code: 'ERR_UNKNOWN_FILE_EXTENSION',
    });
    expect(describeImportFailure('./my-client.ts', unknownExtension)).toMatch(/only under vitest or tsx.*compile it/s);
    expect(describeImportFailure('./my-client.mjs', new Error('boom'))).toBe('Cannot import client module ./my-client.mjs: boom');
  });
});
