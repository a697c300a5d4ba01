// Access logs to a file, as a service in production writes them: pino at info
// through httppool's LogFile (one buffered write per event-loop turn), reopened
// on SIGHUP after logrotate has moved the file, flushed on the way out.
//
//   ACCESS_LOG=/tmp/access.log node dist/examples/access-log-file.js
//   curl http://127.0.0.1:9000/hello            → {"hello":"world"}; one line in /tmp/access.log
//   mv /tmp/access.log /tmp/access.log.1 && kill -HUP <pid>   → new lines go to a new /tmp/access.log

import 'reflect-metadata';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Controller, Get, HttpPoolApp, LogFile } from 'httppool';

@Controller()
export class HelloController {
  @Get('/hello')
  hello() {
    return { hello: 'world' };
  }
}

export interface LoggedApp {
  app: HttpPoolApp;
  file: LogFile;
  /** Closes the app, then writes what the log still holds and closes it. */
  stop(): Promise<void>;
}

export async function main(
  port = Number(process.env.PORT ?? 9000),
  logPath = process.env.ACCESS_LOG ?? path.join(os.tmpdir(), 'httppool-access.log'),
): Promise<LoggedApp> {
  const file = new LogFile(logPath, { mkdir: true });
  const onHangUp = (): void => file.reopen();
  process.on('SIGHUP', onHangUp);
  const app = await HttpPoolApp.bootstrap({ controllers: [HelloController], logger: pino({ level: 'info' }, file) });
  await app.listen(port, '127.0.0.1');
  return {
    app,
    file,
    stop: async () => {
      process.off('SIGHUP', onHangUp);
      await app.close();
      await file.close();
    },
  };
}

if (require.main === module) {
  main().then(
    ({ app, file, stop }) => {
      console.log('listening on', app.server.address(), 'access log:', file.file);
      for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
    },
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
