import { CATALOGUE, credentialOf, pathOf, planfixXml, type Endpoint, type Json, type Sample } from './endpoint-catalogue.js';
import { type AccountFixture } from './hardening-fixture.js';
import { malformedBodies, seeded } from './malformed-bodies.js';
import { multipart } from '../factories/plansync.factory.js';

/**
 * The bad-input corpus: from an endpoint's valid sample, requests that each break one thing (a path or query
 * value, a body field, the body's syntax or size, a header, the method). Every category is generated in full and
 * then sampled with a seed, so a run is repeatable and every category of every endpoint is tried.
 */
export interface BadInput {
  endpoint: Endpoint;
  category: string;
  detail: string;
  method: string;
  /** Encoded path and query. */
  path: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

/** A JSON value written as is (numbers JSON.stringify cannot produce). */
class RawJson {
  constructor(readonly text: string) {}
}
type Value = Json | RawJson | Value[] | { [k: string]: Value };

function stringify(v: Value): string {
  if (v instanceof RawJson) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringify).join(',')}]`;
  if (v !== null && typeof v === 'object')
    return `{${Object.entries(v)
      .map(([k, x]) => `${JSON.stringify(k)}:${stringify(x)}`)
      .join(',')}}`;
  return JSON.stringify(v);
}

const HUGE = 'x'.repeat(100_000);
/** Strings no field should choke on: metacharacters of SQL, XML and paths, unicode edges, sizes. */
export const HOSTILE_STRINGS: [string, string][] = [
  ['sql quote', "' OR '1'='1"],
  ['sql statement', '1; DROP TABLE accounts; --'],
  ['sql comment', "admin'--"],
  ['sql like', '%_%\\'],
  ['xml tags', '<x>&amp;</x>'],
  ['xml cdata end', ']]>'],
  ['xml entity', '&xxe;'],
  ['path traversal', '../../../../etc/passwd'],
  ['windows traversal', '..\\..\\..\\windows\\win.ini'],
  ['absolute path', '/etc/passwd'],
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', '\udc00'],
  ['RTL override', 'report\u202efdp.exe'],
  ['RTL mark', '\u200fAcme\u200e'],
  ['BOM and zero width', '\ufeff\u200b\u200d'],
  ['noncharacters', '\ufffe\uffff'],
  ['combining marks', `a${'\u0301'.repeat(500)}`],
  ['astral', '😀𝕏'],
  ['control chars', '\u0001\u001b[31m\r\n'],
  ['empty', ''],
  ['spaces', '   '],
  ['huge string', HUGE],
  ['template', '${7*7}{{7*7}}'],
  ['prototype', '__proto__'],
];

/** Values of the wrong type (or of no type) for any field. */
const WRONG_TYPES: [string, Value][] = [
  ['null', null],
  ['true', true],
  ['zero', 0],
  ['negative', -1],
  ['fraction', 0.5],
  ['huge number', new RawJson('1e400')],
  ['huge negative', new RawJson('-1e400')],
  ['long integer', new RawJson('123456789012345678901234567890')],
  ['tiny number', new RawJson('1e-400')],
  ['unsafe integer', new RawJson('9007199254740993')],
  ['empty object', {}],
  ['empty array', []],
  ['array of strings', ['a', 'b']],
  ['nested object', { a: { b: { c: 1 } } }],
  ['proto object', new RawJson('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}')],
];

/** Path values: traversal (raw and encoded), bad percent-encoding, overlong UTF-8, metacharacters, size. */
// (a bare `..` segment is left out: it is resolved before routing, and the answer belongs to the parent path)
const HOSTILE_PATH: [string, string][] = [
  ['encoded traversal', '..%2F..%2F..%2Fetc%2Fpasswd'],
  ['double-encoded traversal', '..%252F..%252Fetc%252Fpasswd'],
  ['backslash traversal', '..%5C..%5Cwin.ini'],
  ['NUL', 'a%00b'],
  ['bad percent', '%E0%A4%A'],
  ['lone percent', '%'],
  ['overlong slash', '%C0%AF'],
  ['lone surrogate bytes', '%ED%A0%80'],
  ['invalid utf-8', '%FF%FE'],
  ['RTL override', encodeURIComponent('a\u202eb')],
  ['sql', encodeURIComponent("1' OR '1'='1")],
  ['xml', encodeURIComponent('<x>&amp;]]>')],
  ['long', 'a'.repeat(5000)],
  ['huge number', '9'.repeat(40)],
  ['negative', '-1'],
  ['float', '1.5e308'],
  ['prototype', '__proto__'],
  ['spaces', '%20%20'],
];

const MALFORMED_JSON: [string, string][] = [
  ['open brace', '{'],
  ['missing value', '{"a":}'],
  ['trailing comma', '{"a":1,}'],
  ['single quotes', "{'a':1}"],
  ['bare word', 'nul'],
  ['NaN', '{"a":NaN}'],
  ['comment', '{"a":1 /* x */}'],
  ['two documents', '{"a":1}{"b":2}'],
  ['bad escape', '{"a":"\\x41"}'],
  ['unpaired surrogate escape', '{"a":"\\ud800"}'],
  ['control char in string', '{"a":"\u0001"}'],
  ['BOM prefix', '\ufeff{"a":1}'],
  ['NUL bytes', '\u0000\u0000'],
  ['only whitespace', ' \n\t '],
];

const TOP_LEVEL: [string, string][] = [
  ['string', '"x"'],
  ['number', '42'],
  ['null', 'null'],
  ['array', '[]'],
  ['boolean', 'true'],
];

/** Percent-encoding that also writes lone surrogates (as the WTF-8 bytes a sloppy client would send). */
export function pct(v: string): string {
  let out = '';
  for (const ch of v) {
    const c = ch.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff)
      out += [0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    else out += encodeURIComponent(ch);
  }
  return out;
}

/** A header value as the UTF-8 bytes a client sends (Node only writes latin-1 characters). */
const headerBytes = (v: string) => Buffer.from(v, 'utf8').toString('latin1');

/** Leaf paths of a JSON body (arrays by index). */
function leaves(v: Json, at: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(v)) return v.length ? v.flatMap((x, i) => leaves(x, [...at, i])) : [at];
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    return entries.length ? entries.flatMap(([k, x]) => leaves(x, [...at, k])) : [at];
  }
  return [at];
}

function setAt(v: Value, path: (string | number)[], to: Value | undefined): Value {
  if (!path.length) return to === undefined ? null : to;
  const [head, ...rest] = path;
  const copy: Value = Array.isArray(v) ? [...v] : { ...(v as Record<string, Value>) };
  const inner = (copy as Record<string | number, Value>)[head];
  if (rest.length === 0 && to === undefined) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete (copy as Record<string, Value>)[head as string];
  } else (copy as Record<string | number, Value>)[head] = setAt(inner, rest, to);
  return copy;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** The request an endpoint's own client sends (the sample), as method, path, headers and body bytes. */
export function validRequest(
  ep: Endpoint,
  fx: AccountFixture,
  n = 0,
  sample: Sample = ep.sample(fx),
): Omit<BadInput, 'category' | 'detail' | 'endpoint'> {
  const query = sample.query ? `?${new URLSearchParams(sample.query).toString()}` : '';
  const headers: Record<string, string | string[]> = { ...credentialOf(ep.protocol, fx, n) };
  let body: Buffer | undefined;
  if (ep.protocol === 'planfix') {
    body = Buffer.from(planfixXml(ep.method, sample.body ?? {}), 'utf8');
    headers['Content-Type'] = 'application/xml';
    return { method: 'POST', path: '/xml/', headers, body };
  }
  if (sample.upload) {
    const m = multipart([
      ...Object.entries(sample.upload.fields).map(([name, value]) => ({ name, value })),
      { name: 'file', filename: sample.upload.filename, value: sample.upload.content },
    ]);
    body = m.body;
    headers['Content-Type'] = m.contentType;
  } else if (sample.raw) {
    body = Buffer.from(sample.raw.text, 'utf8');
    headers['Content-Type'] = sample.raw.type;
  } else if (sample.body !== undefined) {
    body = Buffer.from(JSON.stringify(sample.body), 'utf8');
    headers['Content-Type'] = 'application/json';
  }
  return { method: ep.method, path: pathOf(ep.route, sample.params) + query, headers, body };
}

/** Every bad input of one endpoint, by category (before sampling). */
function allBadInputs(ep: Endpoint, fx: AccountFixture): BadInput[] {
  const sample = ep.sample(fx);
  const base = validRequest(ep, fx, 0, sample);
  const out: BadInput[] = [];
  const add = (category: string, detail: string, change: Partial<BadInput>) =>
    out.push({ endpoint: ep, category, detail, ...base, ...change });
  const credential = credentialOf(ep.protocol, fx);
  const [credName, credValue] = Object.entries(credential)[0];
  const withoutCred = Object.fromEntries(Object.entries(base.headers).filter(([k]) => k !== credName));

  // headers: the credential missing, doubled (either order), malformed; the Content-Type doubled or wrong
  if (ep.route !== '/health') {
    add('header', 'credential missing', { headers: withoutCred });
    add('header', 'credential duplicated (valid first)', {
      headers: { ...withoutCred, [credName]: [credValue, `${credValue.split(' ')[0]} garbage`] },
    });
    add('header', 'credential duplicated (valid second)', {
      headers: { ...withoutCred, [credName]: [`${credValue.split(' ')[0]} garbage`, credValue] },
    });
    for (const [name, value] of [
      ['empty', ''],
      ['scheme only', credValue.split(' ')[0]],
      ['unicode', `${credValue.split(' ')[0]} ключ\u202e`],
      ['basic garbage', 'Basic !!!'],
      ['jwt none', 'Bearer eyJhbGciOiJub25lIn0.e30.'],
    ])
      add('header', `credential ${name}`, { headers: { ...withoutCred, [credName]: headerBytes(value) } });
  }
  if (base.body) {
    add('header', 'content-type duplicated', { headers: { ...base.headers, 'Content-Type': ['application/json', 'text/plain'] } });
    for (const type of [
      'text/plain',
      'application/xml',
      'multipart/form-data',
      'application/json; charset=utf-16',
      'application/x-www-form-urlencoded',
    ])
      add('header', `content-type ${type}`, { headers: { ...base.headers, 'Content-Type': type } });
  }

  // methods this path does not serve
  if (ep.protocol !== 'planfix') {
    const served = CATALOGUE.filter((x) => x.route === ep.route && x.protocol === ep.protocol).map((x) => x.method);
    for (const m of METHODS.filter((m) => !served.includes(m))) add('method', `wrong method ${m}`, { method: m });
  }

  // path values
  for (const name of Object.keys(sample.params ?? {}))
    for (const [detail, raw] of HOSTILE_PATH) {
      const params = { ...sample.params, [name]: raw };
      const q = sample.query ? `?${new URLSearchParams(sample.query).toString()}` : '';
      add('path', `:${name} ${detail}`, { path: pathOf(ep.route, params, (v) => v) + q });
    }

  // query values: hostile, missing, doubled, as arrays and objects
  const pathOnly = base.path.split('?')[0];
  const qs = (q: [string, string][]) => `${pathOnly}?${q.map(([k, v]) => `${k}=${pct(v)}`).join('&')}`;
  const entries = Object.entries(sample.query ?? {});
  for (const [name] of entries) {
    const others = entries.filter(([k]) => k !== name);
    // a query of 100,000 characters would meet Node's 16 KiB header limit (431 before the gateway sees it)
    for (const [detail, value] of HOSTILE_STRINGS)
      add('query', `${name} ${detail}`, { path: qs([...others, [name, value.slice(0, 8000)]]) });
    add('query', `${name} missing`, { path: qs(others) });
    add('query', `${name} doubled`, { path: qs([...entries, [name, 'other']]) });
    add('query', `${name} as array`, { path: `${qs(others)}&${name}[]=1&${name}[]=2` });
    add('query', `${name} as object`, { path: `${qs(others)}&${name}[a][b]=1` });
    add('query', `${name} huge number`, { path: qs([...others, [name, '9'.repeat(400)]]) });
  }
  if (!entries.length) add('query', 'unexpected hostile parameters', { path: `${pathOnly}?year=' OR 1=1--&limit=-1&__proto__[x]=1&x=%00` });

  if (ep.protocol === 'planfix') planfixBodies(ep, sample, add);
  else if (sample.upload) uploadBodies(sample, add);
  else if (sample.body !== undefined) jsonBodies(sample.body, add);
  else if (sample.raw) {
    add('body', 'csv of NUL and quotes', { body: Buffer.from('Client Name,Fee\n"unterminated,\u0000\n', 'utf8') });
    add('body', 'csv of invalid utf-8', { body: Buffer.from([0x43, 0x0a, 0xff, 0xfe, 0x80]) });
    add('body', 'csv formula injection', { body: Buffer.from("Client Name,Fee\n=cmd|'/c calc'!A1,@SUM(1)\n", 'utf8') });
  } else if (ep.method !== 'GET') {
    add('body', 'unexpected JSON body', {
      body: Buffer.from('{"__proto__":{"x":1},"id":"../../x"}'),
      headers: { ...base.headers, 'Content-Type': 'application/json' },
    });
  }
  return out;
}

type Add = (category: string, detail: string, change: Partial<BadInput>) => void;

function jsonBodies(body: Json, add: Add): void {
  const bytes = (v: Value | string) => Buffer.from(typeof v === 'string' ? v : stringify(v), 'utf8');
  const text = JSON.stringify(body);
  for (const leaf of leaves(body)) {
    const name = leaf.join('.') || '(body)';
    for (const [detail, v] of WRONG_TYPES) add('field type', `${name} ${detail}`, { body: bytes(setAt(body, leaf, v)) });
    for (const [detail, v] of HOSTILE_STRINGS) add('field string', `${name} ${detail}`, { body: bytes(setAt(body, leaf, v)) });
    if (leaf.length) add('field missing', `${name} missing`, { body: bytes(setAt(body, leaf, undefined)) });
  }
  for (const [detail, t] of MALFORMED_JSON) add('malformed', detail, { body: bytes(t) });
  for (const cut of [1, Math.floor(text.length / 2), text.length - 1])
    add('malformed', `truncated at ${cut}`, { body: bytes(text.slice(0, cut)) });
  for (const [detail, t] of TOP_LEVEL) add('top level', detail, { body: bytes(t) });
  add('nesting', '10,000 nested arrays', { body: bytes('['.repeat(10_000) + ']'.repeat(10_000)) });
  add('nesting', '5,000 nested objects in a field', { body: bytes(`{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`) });
  add('nesting', 'unclosed 100,000 arrays', { body: bytes('['.repeat(100_000)) });
  add('field string', 'duplicated keys', { body: bytes(text.replace(/^\{/, '{"__proto__":{"admin":true},')) });
}

function planfixBodies(ep: Endpoint, sample: Sample, add: Add): void {
  const tree = (sample.body ?? {}) as Json;
  const xml = (t: Value, raw = false) => Buffer.from(planfixXml(ep.method, t as Json, raw), 'utf8');
  for (const leaf of leaves(tree)) {
    const name = leaf.join('/');
    for (const [detail, v] of HOSTILE_STRINGS) add('field string', `${name} ${detail}`, { body: xml(setAt(tree, leaf, v)) });
    for (const [detail, v] of [
      ['xml tags raw', '<x>'],
      ['ampersand raw', 'a&b'],
      ['entity raw', '&xxe;'],
      ['cdata raw', '<![CDATA[x]]>'],
    ] as const)
      add('field raw', `${name} ${detail}`, { body: xml(setAt(tree, leaf, v), true) });
    for (const [detail, v] of [
      ['huge number', '9'.repeat(40)],
      ['negative', '-1'],
      ['float', '1.5e308'],
      ['nested element', '<a><b>1</b></a>'],
    ] as const)
      add('field type', `${name} ${detail}`, { body: xml(setAt(tree, leaf, v), detail === 'nested element') });
    if (leaf.length) add('field missing', `${name} missing`, { body: xml(setAt(tree, leaf, undefined)) });
    if (leaf.length) add('field type', `${name} repeated`, { body: xml(setAt(tree, leaf, ['1', '2'])) });
  }
  add('method', 'unknown method', { body: Buffer.from(planfixXml('task.drop', tree), 'utf8') });
  add('method', 'method with metacharacters', {
    body: Buffer.from(planfixXml("task.get' OR 1=1", tree).replace(`"task.get' OR 1=1"`, `"task.get&apos; OR 1=1"`), 'utf8'),
  });
}

function uploadBodies(sample: Sample, add: Add): void {
  const up = sample.upload!;
  const build = (
    fields: Record<string, string>,
    filename: string | undefined,
    content: string | Buffer = up.content,
    extra: { name: string; filename?: string; value: string }[] = [],
  ) => {
    const m = multipart([
      ...Object.entries(fields).map(([name, value]) => ({ name, value })),
      ...(filename === undefined ? [] : [{ name: 'file', filename, value: content }]),
      ...extra,
    ]);
    return { body: m.body, headers: { 'Content-Type': m.contentType } };
  };
  const withHeaders = (b: ReturnType<typeof build>): Partial<BadInput> => ({ body: b.body, headers: b.headers });
  for (const [detail, value] of [
    ...HOSTILE_STRINGS,
    ['traversal pdf', '../../../../tmp/evil.pdf'],
    ['backslash pdf', '..\\..\\evil.pdf'],
    ['NUL pdf', 'a\u0000.pdf'],
    ['RTL pdf', 'x\u202efdp.exe'],
    ['dot pdf', '.pdf'],
    ['long pdf', `${'a'.repeat(5000)}.pdf`],
    ['exe', 'run.exe'],
    ['no extension', 'README'],
  ] as [string, string][])
    add('filename', detail, withHeaders(build(up.fields, value)));
  for (const name of Object.keys(up.fields))
    for (const [detail, value] of HOSTILE_STRINGS)
      add('field string', `${name} ${detail}`, withHeaders(build({ ...up.fields, [name]: value }, up.filename)));
  add('field missing', 'file part missing', withHeaders(build(up.fields, undefined)));
  add('field missing', 'fields missing', withHeaders(build({}, up.filename)));
  add(
    'field type',
    'two file parts',
    withHeaders(build(up.fields, up.filename, up.content, [{ name: 'file', filename: 'b.pdf', value: '%PDF-1.4 b' }])),
  );
  add('field type', 'empty file', withHeaders(build(up.fields, up.filename, '')));
  const good = build(up.fields, up.filename);
  const text = good.body.toString('latin1');
  add('malformed', 'no closing boundary', {
    body: Buffer.from(text.slice(0, text.lastIndexOf('--') - 10), 'latin1'),
    headers: good.headers,
  });
  add('malformed', 'boundary mismatch', { body: good.body, headers: { 'Content-Type': 'multipart/form-data; boundary=nothere' } });
  add('malformed', 'no boundary', { body: good.body, headers: { 'Content-Type': 'multipart/form-data' } });
  add('malformed', 'truncated in headers', { body: good.body.subarray(0, 60), headers: good.headers });
  add('malformed', 'JSON instead', { body: Buffer.from('{"file":"x"}'), headers: { 'Content-Type': 'application/json' } });
}

/** Bodies of the Planfix entry point that are not XML requests at all (bombs, external entities, garbage). */
export function planfixDocumentBodies(fx: AccountFixture, count: number, seed: number): { detail: string; body: Buffer }[] {
  const all = malformedBodies(fx.slug, { seed, count: Math.max(count, 40) });
  // the structural cases (bombs, XXE, depth, sizes) first, then a seeded few of the random rest
  return all.slice(0, count).map((b) => ({ detail: b.kind, body: b.bytes }));
}

/** The seeded sample of an endpoint's bad inputs: up to `perCategory` of each category. */
export function badInputs(ep: Endpoint, fx: AccountFixture, options: { seed: number; perCategory: number }): BadInput[] {
  const rand = seeded(options.seed);
  const byCategory = new Map<string, BadInput[]>();
  for (const b of allBadInputs(ep, fx)) byCategory.set(b.category, [...(byCategory.get(b.category) ?? []), b]);
  const out: BadInput[] = [];
  for (const cases of byCategory.values()) {
    const shuffled = cases
      .map((c) => ({ c, k: rand() }))
      .sort((a, b) => a.k - b.k)
      .map((x) => x.c);
    out.push(...shuffled.slice(0, options.perCategory));
  }
  return out;
}
