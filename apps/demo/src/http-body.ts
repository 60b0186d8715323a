import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-errors.js';

function tooLarge(maxBytes: number): HttpError {
  // Closing the connection is the only way to refuse the rest of a body without reading
  // it: a 200 MiB upload costs the 413, not 200 MiB of reading.
  return new HttpError(413, 'BODY_TOO_LARGE', `request body is over ${maxBytes} bytes`, {
    closeConnection: true,
  });
}

/**
 * Reads a request body of at most `maxBytes`. A declared `content-length` over the
 * limit is refused before anything is read; a longer stream (chunked) is refused as soon
 * as it crosses the limit, and reading stops there.
 * @throws HttpError 413 `BODY_TOO_LARGE`, with `closeConnection`
 */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: Error) => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (error) reject(error);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) {
        req.pause();
        finish(tooLarge(maxBytes));
      } else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(error);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * Reads and parses a JSON request body.
 * @throws HttpError 413 `BODY_TOO_LARGE` or 400 `MALFORMED_JSON`
 */
export async function readJson(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = (await readBody(req, maxBytes)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'MALFORMED_JSON', 'request body is not valid JSON');
  }
}
