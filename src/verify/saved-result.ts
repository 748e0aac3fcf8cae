import { readFile, writeFile } from 'node:fs/promises';
import { ConfigError, ConfigErrorCode } from '../errors.js';
import { RUN_HISTORY_SHAPE } from '../history/history-shape.js';
import type { Shape } from '../history/shape.js';
import { shapeProblem } from '../history/shape.js';
import type { VerifyResult } from './verify.js';
import { VERIFY_SCHEMA } from './verify.js';

/**
 * A saved result is the VerifyResult itself, as JSON: `verify --json` writes it, `crosstalk check` and
 * `crosstalk report` read it back. Its `schema` is VERIFY_SCHEMA; a file of another version is refused rather than
 * half-read.
 */

const checkShape: Shape = {
  invariant: 'string',
  status: 'string',
  violations: { array: { invariant: 'string', message: 'string' } },
  figures: 'any',
  notes: { array: 'string' },
};

const RESULT_SHAPE: Shape = {
  schema: 'number',
  client: 'string',
  connections: 'number',
  callers: 'number',
  opsPerCaller: 'number',
  seed: 'number',
  settings: { runs: 'number', faults: { nullable: { array: 'string' } } },
  verdict: 'string',
  runs: 'number',
  elapsedMs: 'number',
  invariants: {
    array: { invariant: 'string', status: 'string', exercisedRuns: 'number', violatedRuns: 'number', figures: 'any' },
  },
  failure: {
    nullable: {
      seed: 'number',
      path: 'string',
      fastCheck: 'string',
      replay: 'string',
      numShrinks: 'number',
      history: RUN_HISTORY_SHAPE,
      checks: { array: checkShape },
    },
  },
};

const VERDICTS: ReadonlySet<string> = new Set(['safe', 'violated', 'inconclusive']);

function bad(message: string): ConfigError {
  return new ConfigError(ConfigErrorCode.BadResult, message);
}

export function serializeResult(result: VerifyResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}

export async function writeSavedResult(file: string, result: VerifyResult): Promise<void> {
  await writeOutput(file, serializeResult(result));
}

/** Writes a file the user named; a path that cannot be written is their configuration, not a harness bug. */
export async function writeOutput(file: string, text: string): Promise<void> {
  try {
    await writeFile(file, text);
  } catch (error) {
    const code = (error as { code?: string }).code ?? String(error);
    throw new ConfigError(ConfigErrorCode.BadOption, `cannot write ${file} (${code}).`);
  }
}

/** The replay command of an older file, if it has one where results have always kept it, to help re-run it. */
function oldReplay(value: Record<string, unknown>): string {
  const failure = value.failure as { replay?: unknown } | null | undefined;
  return typeof failure?.replay === 'string' ? ` Its counterexample replays with: ${failure.replay}` : '';
}

/** Parses a saved result; `source` names it in messages. Throws ConfigError (BadResult) with a plain message. */
export function parseSavedResult(text: string, source: string): VerifyResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad(`${source} is not JSON (${error instanceof Error ? error.message : String(error)}).`);
  }
  const record = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  if (record === null || !('invariants' in record) || !('verdict' in record)) {
    throw bad(`${source} is not a crosstalk result (write one with crosstalk verify --json FILE).`);
  }
  const schema = record.schema;
  if (typeof schema !== 'number') throw bad(`${source} has no result schema version; it is not a crosstalk result this version can read.`);
  if (schema < VERIFY_SCHEMA) {
    throw bad(
      `${source} was written by an older crosstalk (result schema ${schema}); this crosstalk reads schema ` +
        `${VERIFY_SCHEMA}. Run the verification again to save a current result.${oldReplay(record)}`,
    );
  }
  if (schema > VERIFY_SCHEMA) {
    throw bad(
      `${source} was written by a newer crosstalk (result schema ${schema}); this crosstalk reads schema ` +
        `${VERIFY_SCHEMA}. Upgrade crosstalk to read it.`,
    );
  }
  const problem = shapeProblem(value, RESULT_SHAPE);
  if (problem !== null) throw bad(`${source} is not a valid crosstalk result: ${problem}.`);
  if (!VERDICTS.has(record.verdict as string)) throw bad(`${source} is not a valid crosstalk result: verdict "${String(record.verdict)}".`);
  return value as VerifyResult;
}

export async function readSavedResult(file: string): Promise<VerifyResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code;
    throw bad(code === 'ENOENT' ? `${file}: no such file.` : `${file} cannot be read (${code ?? String(error)}).`);
  }
  return parseSavedResult(text, file);
}
