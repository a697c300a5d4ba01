// LogFile: a pino destination that appends log lines to a file through two
// preallocated buffers, for access logs at tens of thousands of lines a second.
//
// Why not pino.destination (sonic-boom)? Its write() joins lines into one
// growing string and measures that whole string's UTF-8 length on every line,
// so each line costs more the more is pending: 3.6 µs of CPU per 200-byte line
// above pino's own serializing, against 1.5 µs for fs.createWriteStream and
// 1.2 µs here, the file write included (bench/children/log-destination.ts).
// Here a line is encoded straight into a Buffer and nothing is allocated per
// line.
//
// A batch is written on the event loop turn after its first line (setImmediate),
// so a quiet service's lines reach the file at once and a busy one's go out in
// large writes. By default that write is synchronous, one write(2) per turn,
// as pino.destination's default is: handing each batch to libuv's threadpool
// instead cost ~0.9 µs more CPU per line on the hello route (the wake-ups of
// the thread and of the loop), a third of what the access line costs in all.
// The price is that a disk which stalls stalls the loop; `sync: false` takes
// the threadpool path, with two buffers:
//
//   write() ──▶ [ active buffer ]          one fs.write in flight at a time;
//                      │ swap              while it runs, lines fill the other
//                      ▼                   buffer (then `pending`, if they
//               [ buffer being written ] ──▶ file     overflow it), in order
//
// Lines still buffered when the process exits are written synchronously from
// an 'exit' hook.

import { EventEmitter } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';

export interface LogFileOptions {
  /** Bytes per buffer (there are two). Default 64 KiB. */
  bufferSize?: number;
  /**
   * Write each batch with a synchronous write(2) on the event loop (default
   * true), or on libuv's threadpool (false: a stalled disk cannot stall the
   * loop, at ~0.9 µs more CPU per line).
   */
  sync?: boolean;
  /** With `sync: false`: most bytes held in memory while the disk falls behind; lines beyond are dropped and counted. Default 16 MiB. */
  maxPendingBytes?: number;
  /** Create the file's folder if it is missing. Default false. */
  mkdir?: boolean;
}

/** Files still open, written out synchronously if the process exits. */
const openFiles = new Set<LogFile>();
const flushAllSync = (): void => {
  for (const file of openFiles) file.flushSync();
};

/**
 * Appends pino's lines to a file: `pino(options, new LogFile(path))`.
 * Emits 'error' when a write fails (the batch is dropped and counted; logging
 * never throws into the request that logged).
 *
 * @example
 * const file = new LogFile('/var/log/api/access.log');
 * const app = await HttpPoolApp.bootstrap({ controllers, logger: pino({ level: 'info' }, file) });
 * process.on('SIGHUP', () => file.reopen()); // after logrotate moved the file
 */
export class LogFile extends EventEmitter {
  private fd: number;
  private active: Buffer;
  private spare: Buffer;
  private used = 0;
  private linesInActive = 0;
  /** Lines that did not fit in `active` while a write was in flight; they follow it. */
  private pending: string[] = [];
  private pendingBytes = 0;
  private writing = false;
  private scheduled = false;
  private reopenWanted = false;
  private closed = false;
  private drained: Array<(error?: Error | null) => void> = [];
  private readonly maxPendingBytes: number;
  private readonly sync: boolean;
  private dropped = 0;

  constructor(
    readonly file: string,
    options: LogFileOptions = {},
  ) {
    super();
    const bufferSize = options.bufferSize ?? 64 * 1024;
    if (!Number.isInteger(bufferSize) || bufferSize < 64) {
      throw new RangeError(`LogFile bufferSize must be an integer ≥ 64, got ${String(options.bufferSize)}`);
    }
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
    this.sync = options.sync ?? true;
    if (options.mkdir === true) fs.mkdirSync(path.dirname(file), { recursive: true });
    // Opened synchronously so a bad path fails at startup, not on the first line.
    this.fd = fs.openSync(file, 'a');
    this.active = Buffer.allocUnsafe(bufferSize);
    this.spare = Buffer.allocUnsafe(bufferSize);
    if (openFiles.size === 0) process.on('exit', flushAllSync);
    openFiles.add(this);
  }

  /** Lines lost: written after close(), beyond maxPendingBytes, or in a failed write. */
  get droppedLines(): number {
    return this.dropped;
  }

  /** Buffers one line (pino passes it with its newline). Always returns true: callers need not wait. */
  write(line: string): boolean {
    if (this.closed) {
      this.dropped++;
      return true;
    }
    if (this.sync) this.bufferOrWrite(line);
    // A UTF-16 code unit never takes more than 3 bytes in UTF-8.
    else if (this.pending.length === 0 && this.used + line.length * 3 <= this.active.length) this.buffer(line);
    else this.hold(line);
    if (!this.writing && !this.scheduled) {
      this.scheduled = true;
      setImmediate(this.writeBatch);
    }
    return true;
  }

  /** Calls back once every line written so far is in the file (or its write failed). */
  flush(callback: (error?: Error | null) => void = () => {}): void {
    if (this.sync && this.fd >= 0) {
      process.nextTick(callback, this.writeActiveSync());
      return;
    }
    if (this.idle()) {
      process.nextTick(callback, null);
      return;
    }
    this.drained.push(callback);
  }

  /**
   * Writes what is buffered now, synchronously: for process exit. A batch
   * already handed to the OS is not waited for.
   */
  flushSync(): void {
    if (this.fd < 0) return;
    try {
      this.writeAllSync(this.active.subarray(0, this.used));
      if (this.pending.length > 0) this.writeAllSync(Buffer.from(this.pending.join('')));
    } catch {
      // At exit there is nobody left to tell.
    }
    this.used = 0;
    this.linesInActive = 0;
    this.pending = [];
    this.pendingBytes = 0;
  }

  /** Closes and opens the file again by its path, after what is in flight: for log rotation. */
  reopen(): void {
    if (this.closed) return;
    this.reopenWanted = true;
    if (!this.writing) this.reopenNow();
  }

  /** Writes what is buffered, then closes the file. Later lines are dropped. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return new Promise((resolve) => {
      this.flush(() => {
        openFiles.delete(this);
        if (openFiles.size === 0) process.removeListener('exit', flushAllSync);
        const fd = this.fd;
        this.fd = -1;
        fs.close(fd, () => resolve());
      });
    });
  }

  private idle(): boolean {
    return !this.writing && this.used === 0 && this.pending.length === 0;
  }

  private buffer(line: string): void {
    this.used += this.active.write(line, this.used);
    this.linesInActive++;
  }

  /** Sync mode: a line that does not fit writes the buffer out now instead of waiting. */
  private bufferOrWrite(line: string): void {
    const mostBytes = line.length * 3;
    if (this.used + mostBytes > this.active.length) {
      this.writeActiveSync();
      if (mostBytes > this.active.length) {
        this.writeCounted(Buffer.from(line), 1);
        return;
      }
    }
    this.buffer(line);
  }

  /** Sync mode: writes the active buffer; the error, if the write failed. */
  private writeActiveSync(): Error | null {
    if (this.used === 0) return null;
    const chunk = this.active.subarray(0, this.used);
    const lines = this.linesInActive;
    this.used = 0;
    this.linesInActive = 0;
    return this.writeCounted(chunk, lines);
  }

  private writeCounted(chunk: Buffer, lines: number): Error | null {
    try {
      this.writeAllSync(chunk);
      return null;
    } catch (error) {
      this.dropped += lines;
      this.report(error as Error);
      return error as Error;
    }
  }

  private hold(line: string): void {
    const bytes = line.length * 3;
    if (this.pendingBytes + bytes > this.maxPendingBytes) {
      this.dropped++;
      return;
    }
    this.pending.push(line);
    this.pendingBytes += bytes;
  }

  private readonly writeBatch = (): void => {
    this.scheduled = false;
    if (this.writing || this.fd < 0) return;
    if (this.sync) {
      this.settle(this.writeActiveSync());
      return;
    }
    if (this.used === 0 && this.pending.length === 0) {
      this.settle(null);
      return;
    }
    let chunk: Buffer;
    let lines = this.linesInActive;
    if (this.pending.length === 0) {
      // The common case: swap buffers, no copy.
      chunk = this.active.subarray(0, this.used);
      const written = this.active;
      this.active = this.spare;
      this.spare = written;
    } else {
      // Order: the active buffer's lines came before the pending ones.
      chunk = Buffer.concat([this.active.subarray(0, this.used), Buffer.from(this.pending.join(''))]);
      lines += this.pending.length;
      this.pending = [];
      this.pendingBytes = 0;
    }
    this.used = 0;
    this.linesInActive = 0;
    this.writing = true;
    this.writeChunk(chunk, lines);
  };

  private writeChunk(chunk: Buffer, lines: number): void {
    fs.write(this.fd, chunk, 0, chunk.length, null, (error, written) => {
      if (error === null && written < chunk.length) {
        this.writeChunk(chunk.subarray(written), lines);
        return;
      }
      this.writing = false;
      if (error !== null) {
        this.dropped += lines;
        this.report(error);
      }
      if (this.reopenWanted) this.reopenNow();
      if (this.used > 0 || this.pending.length > 0) this.writeBatch();
      else this.settle(error);
    });
  }

  private settle(error: Error | null): void {
    const callbacks = this.drained;
    this.drained = [];
    for (const callback of callbacks) callback(error);
  }

  private reopenNow(): void {
    this.reopenWanted = false;
    try {
      const fd = fs.openSync(this.file, 'a');
      fs.closeSync(this.fd);
      this.fd = fd;
    } catch (error) {
      // Keep writing to the old file rather than losing lines.
      this.report(error as Error);
    }
  }

  private writeAllSync(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length) offset += fs.writeSync(this.fd, chunk, offset);
  }

  private report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else process.emitWarning(`LogFile ${this.file}: ${error.message}`, { code: 'HTTPPOOL_LOG_WRITE' });
  }
}
