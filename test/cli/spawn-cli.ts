import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

/** The built CLI, spawned as a user runs it (`npm test` builds first), and waited for until the process ends. */
const run = promisify(execFile);
export const root = fileURLToPath(new URL('../../', import.meta.url));
export const cliPath = `${root}dist/src/cli.js`;

export async function crosstalk(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [cliPath, ...args], { cwd: root, timeout: 90_000 });
    return { code: 0, out: stdout, err: stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, out: e.stdout ?? '', err: e.stderr ?? '' };
  }
}
