import { DateTime } from 'luxon';
import { issue, ISSUE, missing, type Page, type Ref } from '#projects';
import { type XmlNode } from './xml-request.js';

/** The biggest page any list serves (docs/planfix.md). */
const MAX_PAGE_SIZE = 100;

const INT = /^-?\d{1,16}$/;
const DATE = /^(\d{2})-(\d{2})-(\d{4})$/;
const TIME = /^(\d{1,2}):(\d{2})$/;
const DATE_TIME = /^(\d{2})-(\d{2})-(\d{4})(?:\s+(\d{1,2}):(\d{2}))?$/;

export const invalid = (path: string, text = 'has an invalid value') => issue(ISSUE.invalid, path, text);

/**
 * Typed reading of a request's elements (docs/planfix.md "types"): leaves trimmed, `<x/>` and `<x></x>` empty, an empty
 * optional value absent, unknown elements ignored, a single value given twice → 0015. Every error names the path.
 */
export class XmlParams {
  constructor(
    readonly node: XmlNode,
    readonly path: string = node.name,
  ) {}

  private named(name: string): XmlNode[] {
    return this.node.children.filter((c) => c.name === name);
  }

  private at(name: string): string {
    return `${this.path}/${name}`;
  }

  has(name: string): boolean {
    return this.node.children.some((c) => c.name === name);
  }

  /** The one child element of that name (undefined when absent). */
  child(name: string): XmlParams | undefined {
    const found = this.named(name);
    if (found.length > 1) throw invalid(this.at(name), 'is given more than once');
    return found.length ? new XmlParams(found[0], this.at(name)) : undefined;
  }

  /** Every child element of that name, in order. */
  children(name: string): XmlParams[] {
    return this.named(name).map((n) => new XmlParams(n, this.at(name)));
  }

  /** Whether this element has no text and no children. */
  get empty(): boolean {
    return this.node.text === '' && this.node.children.length === 0;
  }

  /** The text of a leaf child; undefined when absent. An element where text is expected → 0015. */
  raw(name: string): string | undefined {
    const c = this.child(name);
    if (!c) return undefined;
    if (c.node.children.length) throw invalid(c.path, 'must be a value, not elements');
    return c.node.text;
  }

  /** Text up to `max` characters; `''` when empty (clears on writes). */
  text(name: string, max = 255): string | undefined {
    const v = this.raw(name);
    if (v !== undefined && [...v].length > max) throw invalid(this.at(name), `is longer than ${max} characters`);
    return v;
  }

  /** Required non-empty text (0009 when absent or empty). */
  requiredText(name: string, max = 255): string {
    const v = this.text(name, max);
    if (!v) throw missing(this.at(name));
    return v;
  }

  /** A decimal integer up to 2^53−1; empty → undefined. */
  int(name: string): number | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    if (!INT.test(v)) throw invalid(this.at(name), 'must be an integer');
    const n = Number(v);
    if (!Number.isSafeInteger(n)) throw invalid(this.at(name), 'is out of range');
    return n;
  }

  /** A non-negative integer; empty → undefined. */
  count(name: string): number | undefined {
    const n = this.int(name);
    if (n !== undefined && n < 0) throw invalid(this.at(name), 'must not be negative');
    return n;
  }

  /** `0`/`1`, `true`/`false` (any case: Python clients send `True`); empty → undefined. */
  bool(name: string): boolean | undefined {
    const v = this.raw(name)?.toLowerCase();
    if (v === undefined || v === '') return undefined;
    if (v === '1' || v === 'true') return true;
    if (v === '0' || v === 'false') return false;
    throw invalid(this.at(name), 'must be 0 or 1');
  }

  /** One of `values` (any case, answered in the list's spelling); empty → undefined. */
  oneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    const found = values.find((x) => x.toUpperCase() === v.toUpperCase());
    if (!found) throw invalid(this.at(name), `must be one of ${values.join(', ')}`);
    return found;
  }

  /** `dd-mm-yyyy` → `YYYY-MM-DD`; a day that does not exist (31-02-2025) → 0015; empty → `''`. */
  date(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return v;
    const m = DATE.exec(v);
    const iso = m ? `${m[3]}-${m[2]}-${m[1]}` : '';
    if (!m || !DateTime.fromISO(iso).isValid) throw invalid(this.at(name), 'must be a date dd-mm-yyyy');
    return iso;
  }

  /** `hh:mm` (or a `dd-mm-yyyy hh:mm` whose time is taken) → `HH:MM`; empty → `''`. */
  time(name: string): string | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return v;
    const m = TIME.exec(v) ?? DATE_TIME.exec(v)?.slice(3);
    const [h, min] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
    if (!m || !(h >= 0 && h <= 23 && min >= 0 && min <= 59)) throw invalid(this.at(name), 'must be a time hh:mm');
    return `${String(h).padStart(2, '0')}:${String(min).padStart(2, '0')}`;
  }

  /** `dd-mm-yyyy[ hh:mm]` in the account's time zone → an instant; empty → undefined. */
  dateTime(name: string, timeZone: string): Date | undefined {
    const v = this.raw(name);
    if (v === undefined || v === '') return undefined;
    const m = DATE_TIME.exec(v);
    const at = m
      ? DateTime.fromObject({ year: +m[3], month: +m[2], day: +m[1], hour: m[4] ? +m[4] : 0, minute: m[5] ? +m[5] : 0 }, { zone: timeZone })
      : undefined;
    if (!at?.isValid || (m![4] !== undefined && (+m![4] > 23 || +m![5] > 59)))
      throw invalid(this.at(name), 'must be a date and time dd-mm-yyyy hh:mm');
    return at.toJSDate();
  }

  /** The `{id | general}` of a record element; a non-empty general wins; neither → 0009. */
  ref(): Ref {
    const general = this.int('general');
    if (general !== undefined) return { general };
    const id = this.int('id');
    if (id !== undefined) return { id };
    throw missing(this.path);
  }

  /** `<name><id>…</id></name>` → the id; absent or empty → undefined. */
  idOf(name: string): number | undefined {
    return this.child(name)?.int('id');
  }

  /** `<users><id>1</id><id>2</id></users>`-like lists: every `<id>` of every `item` element. */
  ids(items: XmlParams[]): number[] {
    return items.flatMap((item) =>
      item.children('id').map((c) => {
        const n = c.node.children.length ? NaN : Number(c.node.text);
        if (!INT.test(c.node.text) || !Number.isSafeInteger(n)) throw invalid(c.path, 'must be an integer');
        return n;
      }),
    );
  }
}

/** `pageCurrent` (from 1; 0 = count only) and `pageSize` (absent or 0 = 100; over 100 → 0021). */
export function readPage(params: XmlParams): Page {
  const current = params.count('pageCurrent') ?? 1;
  const size = params.count('pageSize') || MAX_PAGE_SIZE;
  if (size > MAX_PAGE_SIZE) throw issue(ISSUE.tooMany, 'request/pageSize', `must be at most ${MAX_PAGE_SIZE}`);
  if (current === 0) return { offset: 0, limit: 0 };
  return { offset: Math.min((current - 1) * size, Number.MAX_SAFE_INTEGER), limit: size };
}
