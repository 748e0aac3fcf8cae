import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The built CLI, spawned as a user runs it; resolves once the process has ENDED, with its exit code and output. */
export const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const cliPath = `${root}dist/src/cli.js`;

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
  ms: number;
}

export function cliBuilt(): boolean {
  return existsSync(cliPath);
}

export function crosstalk(args: readonly string[], timeoutMs = 90_000): Promise<CliRun> {
  const started = performance.now();
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args], { cwd: root, timeout: timeoutMs, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : null;
      resolve({ code, out: stdout, err: stderr, ms: performance.now() - started });
    });
  });
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
