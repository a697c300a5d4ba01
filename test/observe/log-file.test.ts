// LogFile: lines reach the file whole and in order, through full buffers,
// rotation, write errors and process exit.

import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pino from 'pino';
import { LogFile } from '../../src/observe/log-file';
import { waitFor } from '../helpers/wait-for';

const run = promisify(execFile);

function flushed(file: LogFile): Promise<Error | null | undefined> {
  return new Promise((resolve) => file.flush(resolve));
}

function linesOf(file: string): string[] {
  return readFileSync(file, 'utf8').split('\n').slice(0, -1);
}

describe('LogFile', () => {
  let folder: string;
  const open: LogFile[] = [];
  const logFile = (name: string, options?: ConstructorParameters<typeof LogFile>[1]): LogFile => {
    const file = new LogFile(path.join(folder, name), options);
    open.push(file);
    return file;
  };

  beforeEach(() => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'httppool-log-file-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((file) => file.close()));
    rmSync(folder, { recursive: true, force: true });
  });

  for (const sync of [true, false]) {
    it(`appends lines in order, multi-byte characters included (sync: ${sync})`, async () => {
      const file = logFile('a.log', { sync });
      const expected: string[] = [];
      for (let i = 0; i < 5000; i++) {
        const line = i % 7 === 0 ? `línea ${i} — ✓ 🚀` : `line ${i}`;
        expected.push(line);
        file.write(`${line}\n`);
      }
      expect(await flushed(file)).to.equal(null);
      expect(linesOf(file.file)).to.deep.equal(expected);
    });
  }

  it('writes a lone line on the next turn of the event loop, without waiting for a full buffer', async () => {
    const file = logFile('quiet.log');
    file.write('only line\n');
    expect(readFileSync(file.file, 'utf8')).to.equal('');
    await waitFor(() => readFileSync(file.file, 'utf8') === 'only line\n', 'the line in the file', 1000);
  });

  for (const sync of [true, false]) {
    it(`keeps order when lines overflow the buffer (sync: ${sync})`, async () => {
      const file = logFile('small.log', { bufferSize: 64, sync });
      const expected: string[] = [];
      for (let i = 0; i < 2000; i++) {
        const line = `${i} ${'x'.repeat(i % 50)}`;
        expected.push(line);
        file.write(`${line}\n`);
        if (i % 100 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await flushed(file);
      expect(linesOf(file.file)).to.deep.equal(expected);
      expect(file.droppedLines).to.equal(0);
    });

    it(`takes a line larger than its buffer (sync: ${sync})`, async () => {
      const file = logFile('big.log', { bufferSize: 64, sync });
      const big = 'b'.repeat(10_000);
      file.write('before\n');
      file.write(`${big}\n`);
      file.write('after\n');
      await flushed(file);
      expect(linesOf(file.file)).to.deep.equal(['before', big, 'after']);
    });
  }

  it('writes a full buffer at once in sync mode, before the turn ends', () => {
    const file = logFile('full.log', { bufferSize: 64 });
    file.write(`${'1'.repeat(19)}\n`);
    expect(readFileSync(file.file, 'utf8')).to.equal('');
    // 20 UTF-16 units may take 60 bytes: the second line does not fit beside the first's 20.
    file.write(`${'2'.repeat(19)}\n`);
    expect(linesOf(file.file)).to.deep.equal(['1'.repeat(19)]);
  });

  it('drops and counts lines beyond maxPendingBytes instead of growing without bound (sync: false)', async () => {
    const file = logFile('bounded.log', { bufferSize: 64, maxPendingBytes: 300, sync: false });
    for (let i = 0; i < 100; i++) file.write(`line ${i} ${'y'.repeat(20)}\n`);
    await flushed(file);
    const written = linesOf(file.file);
    expect(file.droppedLines).to.be.greaterThan(0);
    expect(written.length + file.droppedLines).to.equal(100);
    expect(written[0]).to.match(/^line 0 /);
  });

  it('.flush() calls back once the lines are in the file', async () => {
    const file = logFile('flush.log');
    for (let i = 0; i < 100; i++) file.write(`${i}\n`);
    await flushed(file);
    expect(linesOf(file.file)).to.have.length(100);
    // Nothing buffered: calls back at once.
    expect(await flushed(file)).to.equal(null);
  });

  it('.flushSync() writes what is buffered before it returns', () => {
    const file = logFile('sync.log');
    file.write('one\n');
    file.write('two\n');
    file.flushSync();
    expect(readFileSync(file.file, 'utf8')).to.equal('one\ntwo\n');
  });

  it('.reopen() starts a new file at the path after rotation', async () => {
    const file = logFile('rotate.log');
    file.write('old\n');
    await flushed(file);
    renameSync(file.file, `${file.file}.1`);
    file.write('still old\n');
    file.reopen();
    await flushed(file);
    file.write('new\n');
    await flushed(file);
    expect(readFileSync(`${file.file}.1`, 'utf8')).to.equal('old\n');
    // A line buffered before reopen() may land in either file; what follows it lands in the new one.
    expect(readFileSync(file.file, 'utf8')).to.match(/(still old\n)?new\n$/);
    const all = readFileSync(`${file.file}.1`, 'utf8') + readFileSync(file.file, 'utf8');
    expect(all).to.equal('old\nstill old\nnew\n');
  });

  it('.close() writes what is buffered; later lines are dropped and counted, never thrown', async () => {
    const file = logFile('close.log');
    file.write('kept\n');
    await file.close();
    expect(() => file.write('late\n')).not.to.throw();
    expect(file.droppedLines).to.equal(1);
    expect(readFileSync(file.file, 'utf8')).to.equal('kept\n');
  });

  it('creates a missing folder with mkdir: true, and fails at once on a bad path without it', () => {
    const nested = path.join('deep', 'er', 'c.log');
    expect(() => logFile(nested)).to.throw(/ENOENT/);
    const file = logFile(nested, { mkdir: true });
    expect(existsSync(file.file)).to.equal(true);
  });

  it('rejects a bufferSize too small to be useful', () => {
    expect(() => logFile('x.log', { bufferSize: 8 })).to.throw(RangeError, /bufferSize/);
  });

  if (existsSync('/dev/full')) {
    for (const sync of [true, false]) {
      it(`emits 'error' on a failed write, counts the lost lines and keeps going (sync: ${sync})`, async () => {
        const file = new LogFile('/dev/full', { sync });
        open.push(file);
        const errors: NodeJS.ErrnoException[] = [];
        file.on('error', (error: NodeJS.ErrnoException) => errors.push(error));
        file.write('lost 1\n');
        file.write('lost 2\n');
        const error = await flushed(file);
        expect((error as NodeJS.ErrnoException).code).to.equal('ENOSPC');
        expect(errors.map((e) => e.code)).to.deep.equal(['ENOSPC']);
        expect(file.droppedLines).to.equal(2);
      });
    }
  }

  it("is a pino destination: pino's lines parse as JSON, and logger.flush() waits for them", async () => {
    const file = logFile('pino.log');
    const logger = pino({ level: 'info' }, file);
    for (let i = 0; i < 1000; i++) logger.info({ n: i, text: 'ünïcode' }, 'request');
    await new Promise<void>((resolve, reject) => logger.flush((error) => (error ? reject(error) : resolve())));
    const entries = linesOf(file.file).map((line) => JSON.parse(line) as { n: number; msg: string; text: string });
    expect(entries.map((entry) => entry.n)).to.deep.equal([...Array(1000).keys()]);
    expect(entries[999]).to.include({ msg: 'request', text: 'ünïcode' });
  });

  it('writes buffered lines when the process exits right after logging them', async () => {
    const target = path.join(folder, 'exit.log');
    const module = require.resolve('../../src/observe/log-file');
    const script = `
      const { LogFile } = require(${JSON.stringify(module)});
      const file = new LogFile(${JSON.stringify(target)});
      for (let i = 0; i < 3000; i++) file.write('line ' + i + '\\n');
      process.exit(0);
    `;
    await run(process.execPath, ['-e', script]);
    const lines = linesOf(target);
    expect(lines).to.have.length(3000);
    expect(lines[2999]).to.equal('line 2999');
  });
});
