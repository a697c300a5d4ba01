// StatusStream: the page's server-sent events. Each viewer gets the kept
// history (or, reconnecting with Last-Event-ID, only what it missed), then
// one `sample` event per tick; the frames are the sampler's, written to
// every viewer, never taken per viewer.
//
//   retry: 2000
//
//   id: 42
//   event: sample
//   data: {"time":…,"processes":[{…}]}

import type { HttpRequest, HttpResponse } from '../http/http-types';
import type { StatusFrame, StatusSampler } from './status-sampler';

/** How soon a browser reconnects after the stream ends (ms): the next tick or so. */
export const RETRY_MS = 2000;

export class StatusStream {
  private readonly viewers = new Set<HttpResponse>();
  private stopListening: (() => void) | undefined;
  private closed = false;

  constructor(private readonly sampler: StatusSampler) {}

  /** Viewers connected now. */
  get size(): number {
    return this.viewers.size;
  }

  /** Opens a stream on `res`; once the app is closing it sends the history and ends, so it never holds shutdown. */
  open(req: HttpRequest, res: HttpResponse): void {
    res.statusCode = 200;
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-store');
    res.setHeader('x-accel-buffering', 'no'); // nginx would hold the events back otherwise
    // An ended stream closes its connection: the browser reconnects on a new one.
    res.shouldKeepAlive = false;
    res.flushHeaders();
    const lastId = Number(req.headers['last-event-id'] ?? 0);
    let text = `retry: ${RETRY_MS}\n\n`;
    for (const { id, item } of this.sampler.ring.since(Number.isSafeInteger(lastId) ? lastId : 0)) {
      text += event(id, item);
    }
    if (req.method === 'HEAD' || this.closed) {
      res.end(req.method === 'HEAD' ? undefined : text);
      return;
    }
    res.write(text);
    this.viewers.add(res);
    res.once('close', () => this.remove(res));
    this.stopListening ??= this.sampler.onFrame((id, frame) => this.send(id, frame));
  }

  /** Ends every stream; new ones get their history and end at once. */
  close(): void {
    this.closed = true;
    for (const res of this.viewers) res.end();
    this.viewers.clear();
    this.stopListening?.();
    this.stopListening = undefined;
  }

  private send(id: number, frame: StatusFrame): void {
    const text = event(id, frame);
    for (const res of this.viewers) res.write(text);
  }

  private remove(res: HttpResponse): void {
    // The viewer left: for a stream that is how it ends, not a cut answer.
    if (!res.writableEnded) res.end();
    this.viewers.delete(res);
    if (this.viewers.size > 0) return;
    // The sampler keeps ticking (the history must be there for the next viewer); only the writing stops.
    this.stopListening?.();
    this.stopListening = undefined;
  }
}

function event(id: number, frame: StatusFrame): string {
  return `id: ${id}\nevent: sample\ndata: ${JSON.stringify(frame)}\n\n`;
}
