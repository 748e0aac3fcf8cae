import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { TestContext } from 'vitest';
import { test } from 'vitest';
import { formatReport } from '../report/console.js';
import { writeHtmlReport } from '../report/html/html-report.js';
import { resolveVerifyConfig } from '../verify/config.js';
import type { VerifyOptions } from '../verify/run-verify.js';
import { verify } from '../verify/run-verify.js';
import { writeSavedResult } from '../verify/saved-result.js';
import type { VerifyResult } from '../verify/verify.js';

export interface CrosstalkTestOptions extends Omit<VerifyOptions, 'json' | 'report'> {
  /** The test's deadline in ms; default: the verification's time budget plus 30 s. */
  timeout?: number;
  /** Where a failure's HTML report and saved result go; default: `.crosstalk/` beside the test file. */
  outputDir?: string;
}

/** Thrown by a failing `crosstalkTest`: the console report, then where the HTML report and the saved result are. */
export class CrosstalkTestFailure extends Error {
  constructor(
    readonly result: VerifyResult,
    readonly files: { html: string; json: string } | null,
  ) {
    const where = files === null ? [] : ['', `HTML report: ${files.html}`, `Saved result: ${files.json} (crosstalk check ${files.json})`];
    super([...formatReport(result), ...where].join('\n'));
    this.name = 'CrosstalkTestFailure';
  }
}

function slug(text: string): string {
  return text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 80) || 'crosstalk';
}

/** Writes the failure's files beside the test file (or in `outputDir`): `<file>-<test name>.html` and `.json`. */
async function writeFailureFiles(result: VerifyResult, context: TestContext, outputDir: string | undefined): Promise<{ html: string; json: string }> {
  const testFile = context.task.file.filepath;
  const dir = outputDir ?? join(dirname(testFile), '.crosstalk');
  await mkdir(dir, { recursive: true });
  const stem = join(dir, `${basename(testFile).replace(/\.[cm]?[jt]sx?$/, '')}-${slug(context.task.name)}`);
  const files = { html: `${stem}.html`, json: `${stem}.json` };
  await writeSavedResult(files.json, result);
  await writeHtmlReport(files.html, result);
  return files;
}

/**
 * A verification as one vitest test: it passes when the client is safe to share. On a violation (or a time budget
 * run out) it prints the replay command, writes the HTML report and the saved result beside the test file, attaches
 * the report to the test where the runner supports it, and fails with the whole report as its message.
 */
export function crosstalkTest(name: string, options: CrosstalkTestOptions): void {
  const { timeout, outputDir, ...verifyOptions } = options;
  const deadline = timeout ?? resolveVerifyConfig(verifyOptions).timeBudgetMs + 30_000;
  test(
    name,
    async (context) => {
      const result = await verify(verifyOptions);
      if (result.verdict === 'safe') return;
      const files = await writeFailureFiles(result, context, outputDir);
      const replay = result.failure?.replay ?? `seed ${result.seed}: the time budget ran out (inconclusive)`;
      process.stderr.write(`crosstalk: "${name}" is not safe to share.\n  Replay: ${replay}\n  HTML report: ${files.html}\n`);
      await context.annotate?.(`crosstalk HTML report: ${files.html}`, 'crosstalk', { path: files.html, contentType: 'text/html' });
      throw new CrosstalkTestFailure(result, files);
    },
    deadline,
  );
}
