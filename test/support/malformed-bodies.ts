/**
 * Bodies that are not acceptable Planfix requests, made deterministically (seeded): truncations and injections into
 * valid requests, wrong structures, over-limit documents and random bytes. Every one is malformed by construction
 * (the injections only go where they break the document: no comments or CDATA in the bases), so the only right
 * answer to each is the 0003 envelope.
 */

/** mulberry32: small, seeded, good enough to spread cases. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BASES = [
  '<?xml version="1.0" encoding="UTF-8"?>\n<request method="task.getList">\n\t<account>ACCOUNT</account>\n\t<pageCurrent>1</pageCurrent>\n\t<sid>0123456789abcdef0123456789abcdef</sid>\n\t<signature>5d41402abc4b2a76b9719d911017c592</signature>\n</request>',
  '<request method="task.add"><account>ACCOUNT</account><task><title>Fix &amp; ship</title><workers><users><id>1</id><id>2</id></users></workers></task></request>',
  "<?xml version='1.0'?><request method='contact.add'><account>ACCOUNT</account><contact><name>Ann</name><phones><phone><number>+1 555</number></phone></phones></contact></request>",
];

/** Inserted anywhere in a base (after its declaration), each breaks it. */
const POISONS = [
  '<',
  '&',
  '&nope;',
  '&#0;',
  '&#xFFFE;',
  '&#12',
  '\u0000',
  '\u0001',
  '\u001b',
  '<!DOCTYPE r>',
  '<!ENTITY e "x">',
  '</nope>',
  '<open>',
  '<a b="1"',
  ']]><',
];

/** Invalid UTF-8: a lone continuation byte, an overlong form, a surrogate, a truncated sequence, 0xFF. */
const BAD_BYTES = [[0x80], [0xc0, 0xaf], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xff], [0xfe, 0xff]];

export interface MalformedBody {
  kind: string;
  bytes: Buffer;
}

function structural(account: string): MalformedBody[] {
  const deep = (n: number) => `<request method="task.get"><account>${account}</account>${'<a>'.repeat(n)}${'</a>'.repeat(n)}</request>`;
  const many = (n: number) => `<request method="task.get"><account>${account}</account>${'<x/>'.repeat(n)}</request>`;
  const refs = (n: number) => `<request method="task.get"><account>${account}</account><x>${'&amp;'.repeat(n)}</x></request>`;
  const texts: [string, string][] = [
    ['empty', ''],
    ['spaces', ' \n\t '],
    ['plain text', 'hello world'],
    ['json', `{"method":"task.get","account":"${account}"}`],
    ['root req', `<req method="task.get"><account>${account}</account></req>`],
    ['root response', `<response status="ok"/>`],
    ['two roots', `<request method="task.get"><account>${account}</account></request><request method="x"/>`],
    ['trailing text', `<request method="task.get"><account>${account}</account></request>junk`],
    ['unclosed', `<request method="task.get"><account>${account}</account>`],
    ['mismatched', `<request method="task.get"><account>${account}</accounts></request>`],
    ['attribute without quotes', `<request method=task.get><account>${account}</account></request>`],
    ['duplicate attribute', `<request method="a" method="b"><account>${account}</account></request>`],
    [
      'billion laughs',
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><request method="task.get"><account>&lol2;</account></request>`,
    ],
    [
      'external entity',
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><request method="task.get"><account>&xxe;</account></request>`,
    ],
    ['doctype lower case', `<!doctype request><request method="task.get"><account>${account}</account></request>`],
    ['windows-1251', `<?xml version="1.0" encoding="windows-1251"?><request method="task.get"><account>${account}</account></request>`],
    ['utf-16 declared', `<?xml version="1.0" encoding="UTF-16"?><request method="task.get"><account>${account}</account></request>`],
    ['__proto__', `<request method="task.get"><account>${account}</account><__proto__><polluted>1</polluted></__proto__></request>`],
    ['constructor', `<request method="task.get"><account>${account}</account><constructor>1</constructor></request>`],
    ['prototype', `<request method="task.get"><account>${account}</account><prototype>1</prototype></request>`],
    ['33 deep', deep(32)],
    ['5000 deep', deep(4999)],
    ['10001 elements', many(10_000)],
    ['10001 references', refs(10_001)],
    ['unterminated reference', `<request method="task.get"><account>${account}&amp</account></request>`],
    ['unterminated comment', `<request method="task.get"><!-- <account>${account}</account></request>`],
    ['unterminated cdata', `<request method="task.get"><account><![CDATA[${account}</account></request>`],
  ];
  return texts.map(([kind, text]) => ({ kind, bytes: Buffer.from(text, 'utf8') }));
}

/** A few thousand bodies; `account` is a real account's slug, so nothing but the body is wrong. */
export function malformedBodies(account: string, options: { seed?: number; count?: number } = {}): MalformedBody[] {
  const rand = seeded(options.seed ?? 7);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const bases = BASES.map((b) => b.replace('ACCOUNT', account));
  const out = structural(account);
  const target = options.count ?? 3000;
  while (out.length < target) {
    const base = pick(bases);
    const start = base.startsWith('<?xml') ? base.indexOf('?>') + 2 : 0;
    const at = start + Math.floor(rand() * (base.length - start));
    const r = rand();
    if (r < 0.3) {
      out.push({ kind: 'truncated', bytes: Buffer.from(base.slice(0, Math.floor(rand() * (base.length - 1))), 'utf8') });
    } else if (r < 0.75) {
      out.push({ kind: 'injected', bytes: Buffer.from(base.slice(0, at) + pick(POISONS) + base.slice(at), 'utf8') });
    } else if (r < 0.9) {
      const bytes = Buffer.from(base, 'utf8');
      const cut = Math.floor(rand() * bytes.length);
      out.push({ kind: 'bad utf-8', bytes: Buffer.concat([bytes.subarray(0, cut), Buffer.from(pick(BAD_BYTES)), bytes.subarray(cut)]) });
    } else {
      const length = 1 + Math.floor(rand() * 600);
      const bytes = Buffer.alloc(length);
      for (let i = 0; i < length; i++) bytes[i] = Math.floor(rand() * 256);
      // A random prefix may not open with `<request`: make sure the document cannot be a request.
      bytes[0] = pick([0x00, 0x7b, 0x5b, 0x41, 0xff, 0x3c]);
      if (bytes[0] === 0x3c) bytes[1] = 0x3c;
      out.push({ kind: 'random bytes', bytes });
    }
  }
  return out;
}
