import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { ConfigError, ConfigErrorCode } from '../errors.js';

/**
 * One JSON object a line to a file, streamed: `write` resolves at once while the OS keeps up and waits for the
 * stream to drain when it does not, so a writer that awaits it never holds more than one buffer's worth.
 */
export class JsonlWriter {
  private failure: Error | undefined;

  private constructor(
    private readonly stream: WriteStream,
    readonly file: string,
  ) {
    // A full disk costs the history file, not the verification: reported once, at close.
    stream.on('error', (error) => (this.failure ??= error));
  }

  /** Opens (truncating) `file`; a path that cannot be written is the user's to fix, so a ConfigError. */
  static async open(file: string): Promise<JsonlWriter> {
    const stream = createWriteStream(file, { flags: 'w' });
    try {
      await Promise.race([once(stream, 'open'), once(stream, 'error').then(([error]) => Promise.reject(error))]);
    } catch (error) {
      throw new ConfigError(ConfigErrorCode.BadOption, `cannot write ${file}: ${(error as Error).message}`);
    }
    return new JsonlWriter(stream, file);
  }

  /** Already-serialized lines (a lane's, posted from its worker) go through `writeLine`. */
  write(value: unknown): Promise<void> | undefined {
    return this.writeLine(JSON.stringify(value));
  }

  writeLine(line: string): Promise<void> | undefined {
    if (this.failure !== undefined || this.stream.destroyed) return undefined;
    if (this.stream.write(`${line}\n`)) return undefined;
    return once(this.stream, 'drain').then(() => undefined);
  }

  /** Ends the file and waits until it is on disk; rejects if any write failed. */
  async close(): Promise<void> {
    if (!this.stream.destroyed && !this.stream.writableEnded) {
      await new Promise<void>((resolve) => this.stream.end(resolve));
    }
    if (this.failure !== undefined) throw new Error(`writing ${this.file} failed: ${this.failure.message}`);
  }
}
