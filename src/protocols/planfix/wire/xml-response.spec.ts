import { XMLValidator } from 'fast-xml-parser';
import { el, errorResponse, leaf, list, okResponse } from './xml-response.js';

describe('XML answers', () => {
  it('write the declaration, a line feed and a compact response', () => {
    expect(okResponse([el('task', leaf('id', 1), leaf('title', ''))])).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response status="ok"><task><id>1</id><title/></task></response>',
    );
  });

  it('end an empty list with the self-closing element right before </response>', () => {
    expect(okResponse([list('tasks', 7, [])])).toMatch(/<tasks totalCount="7" count="0"\/><\/response>$/);
    expect(okResponse([list('tasks', 7, [el('task')])])).toContain('<tasks totalCount="7" count="1"><task/></tasks>');
  });

  it('escape stored text and drop characters XML cannot carry', () => {
    const xml = okResponse([leaf('description', '<p>Tom & "Jerry"</p>\u0001\uFFFF\uD800')]);
    expect(xml).toContain('<description>&lt;p&gt;Tom &amp; "Jerry"&lt;/p&gt;</description>');
    expect(XMLValidator.validate(xml)).toBe(true);
  });

  it('write booleans as 1/0 and keep leading zeros of codes', () => {
    expect(okResponse([leaf('hidden', true), leaf('starred', false)])).toContain('<hidden>1</hidden><starred>0</starred>');
    expect(errorResponse('0005', 'session key expired or unknown')).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<response status="error"><code>0005</code><message>session key expired or unknown</message></response>',
    );
  });
});
