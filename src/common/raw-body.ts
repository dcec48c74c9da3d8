import { type IncomingMessage } from 'node:http';

/** A body as received: at most the reader's `max` bytes, or none and `tooLarge`. */
export interface RawBody {
  bytes: Buffer;
  tooLarge: boolean;
}

/** Why a body could not be read: the client went away (`aborted`), or the stream failed. */
export class BodyReadError extends Error {
  constructor(
    readonly aborted: boolean,
    cause?: unknown,
  ) {
    super(aborted ? 'the request was aborted' : 'the request body could not be read', { cause });
  }
}

/**
 * Reads a request body keeping at most `max` bytes, whatever its type: the protocols that read their own bodies
 * (raw XML, untyped JSON, login forms) share this one loop and put its outcome in their own words. Past `max` the
 * rest is read and dropped, so the connection stays usable; with `stopAfter`, the answer is given once that many
 * bytes have come (`tooLarge`) while the rest is still dropped as it arrives.
 */
export function readCappedBody(req: IncomingMessage, max: number, options: { stopAfter?: number } = {}): Promise<RawBody> {
  if (req.readableEnded) return Promise.resolve({ bytes: Buffer.alloc(0), tooLarge: false });
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      outcome();
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) {
        chunks.push(chunk);
        return;
      }
      chunks.length = 0;
      if (options.stopAfter !== undefined && size > options.stopAfter) settle(() => resolve({ bytes: Buffer.alloc(0), tooLarge: true }));
    });
    req.on('end', () =>
      settle(() => resolve(size > max ? { bytes: Buffer.alloc(0), tooLarge: true } : { bytes: Buffer.concat(chunks), tooLarge: false })),
    );
    req.on('aborted', () => settle(() => reject(new BodyReadError(true))));
    req.on('error', (e) => settle(() => reject(new BodyReadError(false, e))));
  });
}
