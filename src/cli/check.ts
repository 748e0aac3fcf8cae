import { Command } from 'commander';
import { formatRecheck } from '../report/recheck-report.js';
import { recheckResult } from '../verify/recheck.js';
import { readSavedResult } from '../verify/saved-result.js';

/**
 * `crosstalk check RESULT.json`: the invariants re-run on a saved result's counterexample history, printed beside the
 * saved verdicts. Exit codes as verify's: 0 every invariant holds, 1 one is violated, 2 the file cannot be read.
 */
export function checkCommand(): Command {
  return new Command('check')
    .description("re-run the invariants on a saved result's history (crosstalk verify --json FILE) and print the verdicts")
    .argument('<result.json>', 'a result saved by crosstalk verify --json')
    .action(async (file: string) => {
      const result = await readSavedResult(file);
      const recheck = recheckResult(result);
      process.stdout.write(`${formatRecheck(result, recheck, file).join('\n')}\n`);
      process.exitCode = recheck.exitCode;
    });
}
