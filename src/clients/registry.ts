import { stat } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import type { ClientFactory } from './contract.js';

/**
 * Names a client for `--client`: a built-in by name, or the user's module by path. Built-ins are imported when
 * asked for, so choosing `undici-pool` never loads axios or nano.
 */
const BUILTIN_CLIENTS = {
  'undici-pool': async () => (await import('./builtin/undici-pool.js')).createUndiciPoolClient,
  'undici-agent': async () => (await import('./builtin/undici-agent.js')).createUndiciAgentClient,
  fetch: async () => (await import('./builtin/fetch.js')).createFetchClient,
  'node-https': async () => (await import('./builtin/node-https.js')).createNodeHttpsClient,
  nano: async () => (await import('./builtin/nano.js')).createNanoClient,
  cloudant: async () => (await import('./builtin/cloudant.js')).createCloudantClient,
  'per-call': async () => (await import('./builtin/per-call.js')).createPerCallClient,
} satisfies Record<string, () => Promise<ClientFactory>>;

export type BuiltinClientName = keyof typeof BUILTIN_CLIENTS;

export const DEFAULT_CLIENT: BuiltinClientName = 'undici-pool';

export const BUILTIN_CLIENT_NAMES = Object.keys(BUILTIN_CLIENTS) as BuiltinClientName[];

export interface LoadedClient {
  /** The built-in's name, or the module path as given. */
  name: string;
  factory: ClientFactory;
}

export function isBuiltinClient(name: string): name is BuiltinClientName {
  return Object.hasOwn(BUILTIN_CLIENTS, name);
}

/**
 * A built-in name, or a module path (absolute, or relative to the working directory) whose module exports a
 * `ClientFactory` as `default` or as `createClient`. Throws `ConfigError` with a stable code otherwise.
 */
export async function loadClient(spec: string): Promise<LoadedClient> {
  if (isBuiltinClient(spec)) return { name: spec, factory: await BUILTIN_CLIENTS[spec]() };
  if (!looksLikePath(spec)) {
    throw new ConfigError(
      ConfigErrorCode.UnknownClient,
      `Unknown client "${spec}". Built-in clients: ${BUILTIN_CLIENT_NAMES.join(', ')}; ` +
        `or give a module path such as ./my-client.js that exports a ClientFactory.`,
    );
  }
  const file = path.resolve(process.cwd(), spec);
  const found = await stat(file).catch(() => null);
  if (found === null || !found.isFile()) {
    throw new ConfigError(ConfigErrorCode.ClientModule, `Client module ${spec} not found (looked for ${file}).`);
  }
  let exports: Record<string, unknown>;
  try {
    exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new ConfigError(ConfigErrorCode.ClientModule, describeImportFailure(spec, error), { cause: error });
  }
  return { name: spec, factory: factoryOf(spec, exports) };
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec) || spec.includes('/') || spec.includes(path.sep) ||
    /\.[cm]?[jt]s$/.test(spec);
}

/** Why a client module did not import, with the fix when it is a TypeScript file under plain node. */
export function describeImportFailure(spec: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (/\.[cm]?ts$/.test(spec) && code === 'ERR_UNKNOWN_FILE_EXTENSION') {
    return `Cannot import ${spec}: Node cannot load TypeScript here. A .ts client module works only under vitest ` +
      `or tsx (node --import tsx); compile it to .js or .mjs.`;
  }
  const reason = error instanceof Error ? error.message : String(error);
  return `Cannot import client module ${spec}: ${reason}`;
}

function factoryOf(spec: string, exports: Record<string, unknown>): ClientFactory {
  // A CommonJS module arrives as `default`: `module.exports = { createClient }` is accepted too.
  const commonJs = exports.default as { createClient?: unknown } | null | undefined;
  const candidates = [exports.default, exports.createClient, commonJs?.createClient];
  const factory = candidates.find((candidate) => typeof candidate === 'function');
  if (factory === undefined) {
    const names = Object.keys(exports).join(', ') || 'nothing';
    throw new ConfigError(
      ConfigErrorCode.ClientExport,
      `Client module ${spec} exports ${names}; it must export a ClientFactory function as \`default\` or \`createClient\`.`,
    );
  }
  return factory as ClientFactory;
}
