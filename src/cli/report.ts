import { Command } from 'commander';
import { writeHtmlReport } from '../report/html/html-report.js';
import { readSavedResult } from '../verify/saved-result.js';

/** `crosstalk report RESULT.json --html FILE.html`: the HTML timeline of a saved result, without running anything. */
export function reportCommand(): Command {
  return new Command('report')
    .description('write the HTML timeline of a saved result (crosstalk verify --json FILE)')
    .argument('<result.json>', 'a result saved by crosstalk verify --json')
    .option('--html <file>', 'where to write the HTML report (default: the result file with .html)')
    .action(async (file: string, options: { html?: string }) => {
      const result = await readSavedResult(file);
      const target = options.html ?? `${file.replace(/\.json$/i, '')}.html`;
      await writeHtmlReport(target, result);
      process.stdout.write(`HTML report written to ${target}\n`);
    });
}
