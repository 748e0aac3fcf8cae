import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * `crosstalk verify --runs N` as a user runs it (the built CLI, its own process), its memory read from outside:
 * the process's resident set and its peak (Linux /proc: VmRSS, VmHWM) at every tenth of the runs, and the runs per
 * second between those points. A flat curve is what "flat memory" means; the peak must stay under 300 MB.
 */
export interface RssPoint {
  runs: number;
  seconds: number;
  rssMb: number;
  peakMb: number;
  /** Runs per second since the previous point: a cost per run that grows with the run count shows here. */
  runsPerSecond: number;
}

export interface VerifyRssResult {
  exitCode: number | null;
  points: RssPoint[];
  peakMb: number;
  seconds: number;
  summary: string;
}

const cli = fileURLToPath(new URL('../src/cli.js', import.meta.url));

function memoryOf(pid: number): { rssMb: number; peakMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMb: kb('VmRSS') / 1_024, peakMb: kb('VmHWM') / 1_024 };
  } catch {
    return null;
  }
}

export function verifyRss(args: readonly string[], onPoint?: (point: RssPoint) => void): Promise<VerifyRssResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, 'verify', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const started = performance.now();
    const points: RssPoint[] = [];
    let peakMb = 0;
    let out = '';
    let pending = '';
    // The peak between progress lines matters too: sampled every 200 ms.
    const sampler = setInterval(() => {
      const memory = memoryOf(child.pid!);
      if (memory !== null) peakMb = Math.max(peakMb, memory.peakMb);
    }, 200);
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        const runs = Number(/\brun (\d+)\/\d+/.exec(line)?.[1] ?? NaN);
        const memory = memoryOf(child.pid!);
        if (Number.isNaN(runs) || memory === null) continue;
        const seconds = (performance.now() - started) / 1_000;
        const previous = points.at(-1);
        const point: RssPoint = {
          runs,
          seconds,
          ...memory,
          runsPerSecond: (runs - (previous?.runs ?? 0)) / (seconds - (previous?.seconds ?? 0)),
        };
        peakMb = Math.max(peakMb, memory.peakMb);
        points.push(point);
        onPoint?.(point);
      }
    });
    child.on('error', reject);
    child.on('close', (exitCode) => {
      clearInterval(sampler);
      const summary = out.trimEnd().split('\n').at(-1) ?? '';
      resolve({ exitCode, points, peakMb, seconds: (performance.now() - started) / 1_000, summary });
    });
  });
}
