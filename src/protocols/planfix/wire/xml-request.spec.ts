import { DomainError } from '#errors';
import { parseXmlRequest, withoutSections, XML_LIMITS, type XmlNode } from './xml-request.js';

const body = (text: string | Buffer) => ({ bytes: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), tooLarge: false });
const parse = (text: string | Buffer) => parseXmlRequest(body(text));

function refusal(text: string | Buffer): DomainError {
  try {
    parse(text);
  } catch (e) {
    if (e instanceof DomainError) return e;
    throw e;
  }
  throw new Error('accepted');
}

const child = (n: XmlNode, name: string) => n.children.find((c) => c.name === name)!;

describe('parseXmlRequest', () => {
  it("reads the JavaScript clients' tab-indented body: method, children in order, trimmed leaves", () => {
    const r = parse(
      '<?xml version="1.0" encoding="UTF-8"?>\n<request method=" task.get ">\n\t<account>acme</account>\n\t<task>\n\t\t<general> 42 </general>\n\t</task>\n\t<sid>abc</sid>\n</request>\n',
    );
    expect(r.method).toBe('task.get');
    expect(r.root.children.map((c) => c.name)).toEqual(['account', 'task', 'sid']);
    expect(child(child(r.root, 'task'), 'general').text).toBe('42');
  });

  it('accepts a BOM, single quotes, no declaration, a lower-case utf-8 declaration', () => {
    expect(parse('\uFEFF<request method="a"><account>x</account></request>').method).toBe('a');
    expect(parse("<?xml version='1.0'?><request method='a'/>").method).toBe('a');
    expect(parse('<?xml version="1.0" encoding="utf-8"?><request method="a"/>').method).toBe('a');
    expect(parse('<?xml version="1.0" ?>\n<request method="a"/>').method).toBe('a'); // Python's minidom
  });

  it('decodes predefined entities, character references and CDATA; keeps repeated elements as a list', () => {
    const r = parse('<request method="a"><t>a &amp; b &lt;p&gt; &#65;&#x42; <![CDATA[<i>x</i>]]></t><id>1</id><id>2</id></request>');
    expect(child(r.root, 't').text).toBe('a & b <p> AB <i>x</i>');
    expect(r.root.children.filter((c) => c.name === 'id').map((c) => c.text)).toEqual(['1', '2']);
  });

  it('leaves the method undefined when it is absent or empty (0008 is answered after authentication)', () => {
    expect(parse('<request><account>x</account></request>').method).toBeUndefined();
    expect(parse('<request method=""/>').method).toBeUndefined();
  });

  it('allows nesting to 32 levels and 10,000 elements, not more', () => {
    const deep = (n: number) => `<request method="a">${'<a>'.repeat(n)}${'</a>'.repeat(n)}</request>`;
    expect(() => parse(deep(XML_LIMITS.maxDepth - 1))).not.toThrow();
    expect(refusal(deep(XML_LIMITS.maxDepth)).code).toBe('MALFORMED');
    const many = (n: number) => `<request method="a">${'<x/>'.repeat(n)}</request>`;
    expect(() => parse(many(XML_LIMITS.maxElements - 1))).not.toThrow();
    expect(refusal(many(XML_LIMITS.maxElements)).code).toBe('MALFORMED');
  });

  it('answers an oversize body as too large and nothing else as parseable', () => {
    expect(() => parseXmlRequest({ bytes: Buffer.alloc(0), tooLarge: true })).toThrow(
      expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
    );
    expect(() => parseXmlRequest(undefined)).toThrow(expect.objectContaining({ code: 'MALFORMED' }));
  });

  it.each([
    ['empty', ''],
    ['whitespace', '  \n'],
    ['plain text', 'hello'],
    ['unclosed tag', '<request method="a"><account>x</account>'],
    ['two roots', '<request method="a"/><request method="b"/>'],
    ['root <req>', '<req method="a"/>'],
    ['DOCTYPE', '<!DOCTYPE request><request method="a"/>'],
    ['ENTITY in any case', '<!entity x "y"><request method="a"/>'],
    ['windows-1251', '<?xml version="1.0" encoding="windows-1251"?><request method="a"/>'],
    ['UTF-8 declared with another spelling', '<?xml version="1.0" encoding="UTF8-X"?><request method="a"/>'],
    ['<__proto__>', '<request method="a"><__proto__><x>1</x></__proto__></request>'],
    ['<constructor>', '<request method="a"><constructor>1</constructor></request>'],
    ['<prototype>', '<request method="a"><prototype>1</prototype></request>'],
    ['an undeclared entity', '<request method="a"><t>&nbsp;</t></request>'],
    ['a bare ampersand', '<request method="a"><t>a & b</t></request>'],
    ['a reference to NUL', '<request method="a"><t>&#0;</t></request>'],
    ['a raw control character', '<request method="a"><t>\u0007</t></request>'],
    ['a less-than in an attribute', '<request method="a<b"/>'],
  ])('refuses %s with MALFORMED', (_label, text) => {
    expect(refusal(text).code).toBe('MALFORMED');
  });

  it('refuses bytes that are not UTF-8', () => {
    expect(
      refusal(Buffer.concat([Buffer.from('<request method="a"><t>'), Buffer.from([0xc3, 0x28]), Buffer.from('</t></request>')])).code,
    ).toBe('MALFORMED');
  });

  it('strips comments and CDATA sections, nested openers included, and refuses one left open', () => {
    expect(withoutSections('<a><!-- <![CDATA[ x --><b/><![CDATA[ <!-- ]]><c/></a>')).toBe('<a><b/><c/></a>');
    expect(withoutSections('<a>no sections</a>')).toBe('<a>no sections</a>');
    expect(() => withoutSections('<a><!-- open')).toThrow(DomainError);
    expect(() => withoutSections('<a><![CDATA[ open ]]')).toThrow(DomainError);
  });

  // Before authentication, each of these held the event loop for seconds (8.6 s for the first): a lazy regex scanned
  // to the end of the body from every unclosed opener. Now one pass: each is answered as the malformed body it is.
  it.each([
    ['unclosed comments', '<!--'],
    ['unclosed CDATA sections', '<![CDATA['],
  ])('answers 256 KiB of %s as malformed', (_name, opener) => {
    const text = `<request method="a">${opener.repeat(Math.floor((XML_LIMITS.maxBytes - 40) / opener.length))}</request>`;
    expect(refusal(text).code).toBe('MALFORMED');
  });

  it('allows 1,000 attributes in all, not more', () => {
    const attrs = (n: number) => Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(' ');
    expect(parse(`<request method="a"><t ${attrs(999)}/></request>`).method).toBe('a');
    expect(refusal(`<request method="a"><t ${attrs(1000)}/></request>`).message).toMatch(/too many attributes/);
    // text may hold `=` freely
    expect(child(parse(`<request method="a"><t>${'x=1 '.repeat(2000)}</t></request>`).root, 't').text).toMatch(/^x=1/);
  });

  it('strips 256 KiB of closed comments without searching the body again for each', () => {
    const comments = '<!---->'.repeat(Math.floor((XML_LIMITS.maxBytes - 40) / 7));
    expect(withoutSections(`<request method="a">${comments}</request>`)).toBe('<request method="a"></request>');
  });

  it('refuses a billion-laughs document before expanding anything', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><request method="a"><t>&lol9;</t></request>`;
    const started = process.hrtime.bigint();
    expect(refusal(laughs).code).toBe('MALFORMED');
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(200);
  });
});
