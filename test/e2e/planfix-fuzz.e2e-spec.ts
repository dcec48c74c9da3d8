import { type Server, Agent } from 'node:http';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { DomainError } from '#errors';
import { parseXmlRequest } from '../../src/protocols/planfix/wire/xml-request.js';
import { exchange, basic } from '../clients/http-transport.js';
import { listen, nextIp, planfixAccount } from '../factories/planfix.factory.js';
import { malformedBodies } from '../support/malformed-bodies.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

jest.setTimeout(300_000);

const parser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', parseTagValue: false });

/**
 * A few thousand generated malformed bodies (seeded, so a failure can be replayed) through real HTTP, with a valid
 * account and key so that nothing but the body is wrong: every answer must be a well-formed XML error envelope
 * with HTTP 200 and the code 0003, never a 500, a dropped connection or an HTML page.
 */
describe('Planfix XML API under malformed input', () => {
  let t: TestApp;
  let server: Server;
  let base: string;

  beforeAll(async () => {
    t = await startTestApp({ env: { TRUST_PROXY: 'true' } });
    server = t.app.getHttpServer();
    base = await listen(server);
  });
  afterAll(() => t.close());

  it('answers each of 2,500 generated malformed bodies with a well-formed 0003 envelope', async () => {
    const acct = await planfixAccount(server);
    const bodies = malformedBodies(acct.slug, { seed: 2025, count: 2500 });
    const agent = new Agent({ keepAlive: true, maxSockets: 8 });
    const methods = ['POST', 'GET', 'PUT'];
    const contentTypes = [undefined, 'application/xml', 'application/json', 'application/x-www-form-urlencoded', 'text/plain'];
    const problems: string[] = [];
    try {
      for (let i = 0; i < bodies.length; i += 16) {
        await Promise.all(
          bodies.slice(i, i + 16).map(async (b, j) => {
            const n = i + j;
            const headers: Record<string, string> = { Authorization: basic(acct.key, acct.key), 'X-Forwarded-For': nextIp() };
            const contentType = contentTypes[n % contentTypes.length];
            if (contentType) headers['Content-Type'] = contentType;
            const res = await exchange(`${base}/xml/`, { method: methods[n % methods.length], headers, body: b.bytes, agent });
            const envelope =
              XMLValidator.validate(res.text) === true
                ? (parser.parse(res.text) as { response?: Record<string, string> }).response
                : undefined;
            const wellFormed =
              res.status === 200 &&
              res.headers['content-type'] === 'application/xml; charset=utf-8' &&
              res.text.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<response status="error"><code>') &&
              envelope?.['@status'] === 'error' &&
              envelope.code === '0003' &&
              typeof envelope.message === 'string';
            if (!wellFormed)
              problems.push(
                `#${n} ${b.kind} ${JSON.stringify(b.bytes.toString('latin1').slice(0, 100))} → ${res.status} ${res.text.slice(0, 200)}`,
              );
          }),
        );
      }
    } finally {
      agent.destroy();
    }
    expect(problems).toEqual([]);
    // nothing was logged as a fault
    expect(t.logs.lines.filter((l) => l.includes('"level":50'))).toEqual([]);
  });
});

/** The parser alone on more of the same corpus (no HTTP in the way): the corpus is the tests', so the test is here. */
describe('parseXmlRequest under malformed input', () => {
  it('answers every one of a few thousand generated malformed bodies with MALFORMED, never another error', () => {
    const bodies = malformedBodies('acme', { seed: 11, count: 5000 });
    const wrong = bodies.flatMap((b) => {
      try {
        parseXmlRequest({ bytes: b.bytes, tooLarge: false });
        return [`${b.kind}: accepted ${JSON.stringify(b.bytes.toString('utf8').slice(0, 120))}`];
      } catch (e) {
        return e instanceof DomainError && e.code === 'MALFORMED' ? [] : [`${b.kind}: ${String(e)}`];
      }
    });
    expect(wrong).toEqual([]);
  });
});
