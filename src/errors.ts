/**
 * crosstalk throws only for harness bugs and bad configuration (a client's failure is an outcome in the history,
 * never an exception). Every thrown error carries a stable `code` that scripts and tests can match on.
 */
export class CrosstalkError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Stable codes of configuration errors. */
export const ConfigErrorCode = {
  /** `--client` named neither a built-in client nor something that looks like a module path. */
  UnknownClient: 'CROSSTALK_UNKNOWN_CLIENT',
  /** The client module could not be found or imported. */
  ClientModule: 'CROSSTALK_CLIENT_MODULE',
  /** The client module loaded but exports no `default` or `createClient` factory function. */
  ClientExport: 'CROSSTALK_CLIENT_EXPORT',
  /** The client factory threw, or returned something that is not a client (no `run`/`close`). */
  ClientFactory: 'CROSSTALK_CLIENT_FACTORY',
  /** An option's value is out of range or malformed. */
  BadOption: 'CROSSTALK_BAD_OPTION',
  /** The `--exec` worker could not be started, exited or reported itself unable to go on. */
  ExecWorker: 'CROSSTALK_EXEC_WORKER',
  /** The `--exec` worker broke the worker protocol: a line that is no message, a reply twice or never. */
  ExecProtocol: 'CROSSTALK_EXEC_PROTOCOL',
  /** `crosstalk merge` was given files that are not the shards of one verification (or not shard results at all). */
  ShardMismatch: 'CROSSTALK_SHARD_MISMATCH',
  /** A saved result that cannot be read: missing, not JSON, not a result, or from another schema version. */
  BadResult: 'CROSSTALK_BAD_RESULT',
} as const;

export type ConfigErrorCode = (typeof ConfigErrorCode)[keyof typeof ConfigErrorCode];

/** The user's configuration is wrong; the message says how to fix it. */
export class ConfigError extends CrosstalkError {
  declare readonly code: ConfigErrorCode;

  constructor(code: ConfigErrorCode, message: string, options?: ErrorOptions) {
    super(code, message, options);
  }
}
