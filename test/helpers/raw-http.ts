// Raw HTTP over node:net, for requests fetch cannot express (malformed URLs,
// half-sent headers) and for seeing exactly what the server wrote.

import { connect, type Socket } from 'node:net';

/** Opens a TCP connection to 127.0.0.1:`port`. */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
  });
}

/** Sends `request` on a new connection and resolves with everything the server wrote until it closed. */
export async function rawRequest(port: number, request: string): Promise<string> {
  const socket = await openSocket(port);
  const text = readUntilClose(socket);
  socket.write(request);
  return text;
}

/** Collects what arrives on the socket until the server closes it. */
export function readUntilClose(socket: Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

export interface RawResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** Parses one HTTP/1.1 response with a content-length (or none) from raw text. */
export function parseResponse(text: string): RawResponse {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`Not an HTTP response: ${JSON.stringify(text)}`);
  const [statusLine = '', ...lines] = text.slice(0, split).split('\r\n');
  const match = /^HTTP\/1\.1 (\d{3})/.exec(statusLine);
  if (match === null) throw new Error(`Bad status line: ${JSON.stringify(statusLine)}`);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { statusCode: Number(match[1]), headers, body: text.slice(split + 4) };
}
