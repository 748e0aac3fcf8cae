import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SecurityObject } from './database.js';
import { isJsonObject, type Json } from './json.js';
import type { AccountFixture } from './types.js';

/** A database as stored in `fixtures/databases/<name>.json`: the body of a `_bulk_docs` with `new_edits:false`. */
export interface DatabaseFixture {
  name: string;
  docs: Json[];
  /** Defaults to members = the owning account's users, or admin-only for a database no account lists. */
  security?: SecurityObject;
}

export interface Fixtures {
  admin: { name: string; password: string };
  accounts: AccountFixture[];
  databases: DatabaseFixture[];
}

/** Bad or missing fixture files: a configuration error, not a request error. */
export class FixtureError extends Error {
  readonly code = 'CROSSTALK_BAD_FIXTURES';
  constructor(message: string) {
    super(message);
    this.name = 'FixtureError';
  }
}

/**
 * The repository's `fixtures/`: found by walking up from this module to the directory holding package.json, so it
 * works from `src/server/couch` (vitest) and from `dist/src/server/couch` or `dist/server/couch` (compiled).
 */
export function defaultFixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new FixtureError('fixtures: no package.json above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return join(dir, 'fixtures');
}

function readJson(path: string): Json {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Json;
  } catch (error) {
    throw new FixtureError(`fixtures: cannot read ${path}: ${(error as Error).message}`);
  }
}

function parseAccounts(json: Json, path: string): Pick<Fixtures, 'admin' | 'accounts'> {
  if (!isJsonObject(json) || !isJsonObject(json['admin']) || !Array.isArray(json['accounts'])) {
    throw new FixtureError(`fixtures: ${path} needs {"admin":{name,password},"accounts":[…]}`);
  }
  const admin = json['admin'];
  if (typeof admin['name'] !== 'string' || typeof admin['password'] !== 'string') {
    throw new FixtureError(`fixtures: ${path}: admin needs a name and a password`);
  }
  return { admin: { name: admin['name'], password: admin['password'] }, accounts: json['accounts'] as unknown as AccountFixture[] };
}

/** Reads `accounts.json` and every `databases/*.json` under `dir`. */
export function loadFixtures(dir: string): Fixtures {
  const accountsPath = join(dir, 'accounts.json');
  const { admin, accounts } = parseAccounts(readJson(accountsPath), accountsPath);
  const databasesDir = join(dir, 'databases');
  const files = existsSync(databasesDir) ? readdirSync(databasesDir).filter((file) => file.endsWith('.json')) : [];
  const databases = files.sort().map((file): DatabaseFixture => {
    const path = join(databasesDir, file);
    const json = readJson(path);
    if (!isJsonObject(json) || !Array.isArray(json['docs'])) throw new FixtureError(`fixtures: ${path} needs {"docs":[…]}`);
    const security = json['security'];
    return {
      name: file.slice(0, -'.json'.length),
      docs: json['docs'],
      ...(isJsonObject(security) ? { security } : {}),
    };
  });
  for (const account of accounts) {
    for (const name of account.databases) {
      if (!databases.some((db) => db.name === name)) {
        throw new FixtureError(`fixtures: account ${account.name} lists ${name}, but ${databasesDir}/${name}.json is missing`);
      }
    }
  }
  return { admin, accounts, databases };
}
