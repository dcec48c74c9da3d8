import { type Duplex } from 'node:stream';
import pg from 'pg';

/** The largest single message a destination server may send (a row of the catalogue, an error, a notice). */
export const DESTINATION_MESSAGE_CAP = 1024 * 1024;
/**
 * The most a destination server may send on one connection: a run's introspection (at most 20,000 columns, about
 * 2 MiB) and its batches' answers (a command tag each, or a row's error message).
 */
export const DESTINATION_CONNECTION_CAP = 16 * 1024 * 1024;

export class DestinationAnswerTooLarge extends Error {
  readonly code = 'destination_answer_too_large';
}

/**
 * Counts what a PostgreSQL server sends, message by message (1 type byte, then a 4-byte length that includes
 * itself), and destroys the connection as soon as one message or the whole connection passes its cap. node-postgres
 * buffers a message whole before parsing it and has no limit of its own: a tenant's destination server could answer
 * with a row past V8's string limit and crash the shared process. Sees the plaintext (after TLS).
 */
export function capServerMessages(stream: Duplex, messageCap = DESTINATION_MESSAGE_CAP, connectionCap = DESTINATION_CONNECTION_CAP): void {
  let total = 0;
  let header = Buffer.alloc(0);
  let remaining = 0; // bytes of the current message's body still to come
  const fail = (message: string) => stream.destroy(new DestinationAnswerTooLarge(message));
  stream.on('data', (chunk: Buffer) => {
    total += chunk.length;
    if (total > connectionCap) return fail(`the destination sent more than ${connectionCap} bytes on one connection`);
    let offset = 0;
    while (offset < chunk.length) {
      if (remaining > 0) {
        const take = Math.min(remaining, chunk.length - offset);
        remaining -= take;
        offset += take;
        continue;
      }
      const need = 5 - header.length;
      header = Buffer.concat([header, chunk.subarray(offset, offset + need)]);
      offset += Math.min(need, chunk.length - offset);
      if (header.length < 5) return;
      const length = header.readUInt32BE(1);
      header = Buffer.alloc(0);
      if (length > messageCap) return fail(`the destination sent a ${length}-byte message, over the cap of ${messageCap} bytes`);
      remaining = Math.max(0, length - 4);
    }
  });
}

/**
 * A node-postgres client whose server messages are capped (capServerMessages). It wraps the connection's
 * `attachListeners`, where pg hands the (possibly TLS) stream to its parser: pg has no public hook for this.
 */
export class CappedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    const connection = (this as unknown as { connection: { attachListeners(stream: Duplex): void } }).connection;
    const attach = connection.attachListeners.bind(connection);
    connection.attachListeners = (stream: Duplex) => {
      capServerMessages(stream);
      attach(stream);
    };
  }
}
