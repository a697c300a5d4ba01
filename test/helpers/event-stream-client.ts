// A small server-sent events client over node:http, for the status page's
// tests: it keeps the raw text and the parsed events, and can be closed.

import { get, type IncomingMessage } from 'node:http';

export interface StreamEvent {
  id: number;
  event: string;
  data: unknown;
}

export interface EventStreamClient {
  res: IncomingMessage;
  /** Every byte so far, as text. */
  readonly text: string;
  readonly events: StreamEvent[];
  /** Resolves once the server ended the stream. */
  readonly ended: Promise<void>;
  close(): void;
}

export function openEventStream(url: string, headers: Record<string, string> = {}): Promise<EventStreamClient> {
  return new Promise((resolve, reject) => {
    const req = get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let text = '';
      const events: StreamEvent[] = [];
      let pending = '';
      res.setEncoding('utf8');
      const ended = new Promise<void>((done) => res.once('close', () => done()));
      res.on('data', (chunk: string) => {
        text += chunk;
        pending += chunk;
        let at: number;
        while ((at = pending.indexOf('\n\n')) !== -1) {
          const block = pending.slice(0, at);
          pending = pending.slice(at + 2);
          const fields = new Map<string, string>();
          for (const line of block.split('\n')) {
            const colon = line.indexOf(': ');
            if (colon !== -1) fields.set(line.slice(0, colon), line.slice(colon + 2));
          }
          if (fields.has('data')) {
            events.push({
              id: Number(fields.get('id')),
              event: fields.get('event') ?? 'message',
              data: JSON.parse(fields.get('data') as string),
            });
          }
        }
      });
      resolve({
        res,
        get text() {
          return text;
        },
        events,
        ended,
        close: () => req.destroy(),
      });
    });
    req.once('error', reject);
  });
}
