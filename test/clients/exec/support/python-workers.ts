import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VerifyResult } from '../../../../src/verify/verify.js';
import type { CliRun } from './crosstalk-cli.js';
import { crosstalk } from './crosstalk-cli.js';

/**
 * The two Pythons of this machine, each named in the tests by what it is: `python3` on the PATH (the image's own,
 * pyenv) and Debian's /usr/bin/python3, which `.ci/run` gives requests, urllib3, httpx, aiohttp and gunicorn.
 */
export interface Python {
  command: string;
  /** e.g. "python3 = CPython 3.11.7 (PATH), requests 2.34.2, urllib3 2.7.0". */
  title: string;
  /** Version of each library it can import, or null when it cannot. */
  libraries: Record<string, string | null>;
}

const LIBRARIES = ['requests', 'urllib3', 'httpx', 'aiohttp', 'gunicorn'];

export function probePython(command: string, where: string): Python {
  const script =
    'import importlib, json, platform\n' +
    'found = {}\n' +
    `for name in ${JSON.stringify(LIBRARIES)}:\n` +
    '    try: found[name] = importlib.import_module(name).__version__\n' +
    '    except Exception: found[name] = None\n' +
    'print(json.dumps({"python": platform.python_version(), "found": found}))\n';
  try {
    const probe = JSON.parse(execFileSync(command, ['-c', script], { encoding: 'utf8', timeout: 20_000 })) as {
      python: string;
      found: Record<string, string | null>;
    };
    const versions = ['requests', 'urllib3']
      .map((name) => `${name} ${probe.found[name] ?? 'missing'}`)
      .join(', ');
    return { command, title: `${command} = CPython ${probe.python} (${where}), ${versions}`, libraries: probe.found };
  } catch {
    return { command, title: `${command} (${where}): not runnable`, libraries: {} };
  }
}

/** What a test needs of its interpreter, as an assertion message that says how to get it. */
export function missing(python: Python, ...names: string[]): string | null {
  if (Object.keys(python.libraries).length === 0) return `${python.command} cannot be run here`;
  const absent = names.filter((name) => python.libraries[name] === null || python.libraries[name] === undefined);
  if (absent.length === 0) return null;
  return `${python.command} lacks ${absent.join(', ')} (.ci/run installs Debian's python3-${absent.join(', python3-')})`;
}

export interface VerifiedRun extends CliRun {
  result: VerifyResult | null;
}

/** `crosstalk verify --exec WORKER ARGS --json`, the process awaited to its end, with the result it wrote. */
export async function verifyWorker(worker: string, args: readonly string[]): Promise<VerifiedRun> {
  const dir = mkdtempSync(join(tmpdir(), 'crosstalk-python-'));
  try {
    const json = join(dir, 'result.json');
    const run = await crosstalk(['verify', '--exec', worker, ...args, '--json', json], 120_000);
    let result: VerifyResult | null = null;
    try {
      result = JSON.parse(readFileSync(json, 'utf8')) as VerifyResult;
    } catch {
      // No result was written (exit 2): the output says why.
    }
    return { ...run, result };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function invariant(result: VerifyResult | null, id: string) {
  const found = result?.invariants.find((i) => i.invariant === id);
  if (found === undefined) throw new Error(`no ${id} in the result`);
  return found;
}
