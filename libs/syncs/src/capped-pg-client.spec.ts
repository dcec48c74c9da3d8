import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { AddressPolicy } from './address-guard.js';
import { CappedClient, capServerMessages, DestinationAnswerTooLarge } from './capped-pg-client.js';
import { INTROSPECTED_COLUMNS, PostgresDestination } from './postgres-destination.js';

/** A backend message: type byte, int32 length (itself included), body. */
function message(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}
const int16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const cstring = (s: string) => Buffer.from(`${s}\0`);
const READY = message('Z', Buffer.from('I'));
const rowDescription = (name: string) =>
  message('T', Buffer.concat([int16(1), cstring(name), int32(0), int16(0), int32(25), int16(-1), int32(-1), int16(0)]));

/**
 * A PostgreSQL server of the worst kind a tenant could point a destination at: it accepts any login, and answers a
 * query with a row description, then whatever `rows` writes.
 */
async function fakeServer(rows: (socket: Socket) => void): Promise<{ server: Server; port: number; received: () => number }> {
  let received = 0;
  const server = createServer((socket) => {
    let startup = true;
    socket.on('error', () => undefined);
    socket.on('data', (chunk) => {
      received += chunk.length;
      if (startup) {
        startup = false;
        socket.write(Buffer.concat([message('R', int32(0)), READY]));
        return;
      }
      if (chunk[0] === 0x51 /* Q */) {
        socket.write(rowDescription('v'));
        rows(socket);
      }
      // a query with parameters: Parse, Bind, Describe, Execute, Sync in one go
      if (chunk[0] === 0x50 /* P */) {
        socket.write(Buffer.concat([message('1', Buffer.alloc(0)), message('2', Buffer.alloc(0)), rowDescription('v')]));
        rows(socket);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received: () => received };
}

async function query(port: number): Promise<unknown> {
  const client = new CappedClient({ host: '127.0.0.1', port, user: 'u', database: 'd', connectionTimeoutMillis: 5000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return (await client.query('SELECT v')).rows;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('a destination server cannot make the gateway buffer without bound', () => {
  it('reads an ordinary answer', async () => {
    const fake = await fakeServer((s) =>
      s.write(
        Buffer.concat([message('D', Buffer.concat([int16(1), int32(2), Buffer.from('ok')])), message('C', cstring('SELECT 1')), READY]),
      ),
    );
    try {
      await expect(query(fake.port)).resolves.toEqual([{ v: 'ok' }]);
    } finally {
      fake.server.close();
    }
  });

  it('drops the connection at the header of a 600,000,000-byte row, before buffering it', async () => {
    let written = 0;
    const fake = await fakeServer((s) => {
      // announces a row past V8's string limit, then streams it until the gateway hangs up
      s.write(message('D', Buffer.alloc(0)).subarray(0, 1));
      const head = Buffer.alloc(4);
      head.writeUInt32BE(600_000_000);
      s.write(head);
      const piece = Buffer.alloc(64 * 1024, 0x78);
      const pump = () => {
        while (written < 600_000_000 && !s.destroyed) {
          written += piece.length;
          if (!s.write(piece)) return void s.once('drain', pump);
        }
      };
      pump();
    });
    try {
      const error = await query(fake.port).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DestinationAnswerTooLarge);
      expect((error as Error).message).toMatch(/600000000-byte message, over the cap of 1048576 bytes/);
      // the server could push little before the hang-up: nowhere near the row it announced
      expect(written).toBeLessThan(64 * 1024 * 1024);
    } finally {
      fake.server.close();
    }
  });

  it(`refuses a destination schema of more than ${INTROSPECTED_COLUMNS} columns`, async () => {
    const row = message('D', Buffer.concat([int16(1), int32(1), Buffer.from('x')]));
    const fake = await fakeServer((s) =>
      s.write(Buffer.concat([...Array.from({ length: INTROSPECTED_COLUMNS + 1 }, () => row), message('C', cstring('SELECT')), READY])),
    );
    const destination = new PostgresDestination(
      { schema: 'public', batchSize: 100, timeoutMs: 5000, maxRetries: 0, host: '127.0.0.1', port: fake.port, database: 'd' },
      { url: `postgres://u@127.0.0.1:${fake.port}/d` },
      new AddressPolicy({ names: [], networks: ['127.0.0.1/32'] }),
    );
    try {
      await expect(destination.introspect()).rejects.toThrow(`the schema 'public' has more than ${INTROSPECTED_COLUMNS} columns`);
    } finally {
      await destination.close();
      fake.server.close();
    }
  });

  const settled = () => new Promise((r) => setImmediate(r));

  it('counts messages split anywhere across chunks, and caps a connection in total', async () => {
    const stream = new PassThrough();
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    capServerMessages(stream, 100, 1000);
    const small = message('D', Buffer.alloc(50));
    // a header split over three chunks, then bodies: nothing over either cap yet
    stream.write(small.subarray(0, 2));
    stream.write(small.subarray(2, 4));
    stream.write(small.subarray(4));
    for (let i = 0; i < 10; i++) stream.write(small);
    await settled();
    expect(errors).toEqual([]);
    stream.write(Buffer.concat(Array.from({ length: 10 }, () => small)));
    await settled();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/more than 1000 bytes on one connection/)]);
  });

  it('refuses a message over the cap even when its header arrives byte by byte', async () => {
    const stream = new PassThrough();
    const errors: Error[] = [];
    stream.on('error', (e) => errors.push(e));
    capServerMessages(stream, 100, 10_000);
    const big = message('E', Buffer.alloc(200));
    for (let i = 0; i < 5; i++) stream.write(big.subarray(i, i + 1));
    await settled();
    expect(errors.map((e) => e.message)).toEqual([expect.stringMatching(/204-byte message, over the cap of 100 bytes/)]);
  });
});
