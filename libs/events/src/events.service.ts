import { Injectable } from '@nestjs/common';
import { DomainError } from '#errors';
import { StoreService, type Tx } from '#store';
import { type EventBatch } from './event-import.js';
import { serverFieldsAt } from './event-json.js';
import {
  ADD_EVENT_REFS_SQL,
  CATEGORIES_SQL,
  COUNTRIES_SQL,
  DELETE_EVENT_SQL,
  DROP_EVENT_REFS_SQL,
  EVENT_BY_ID_SQL,
  EVENT_TYPES_SQL,
  LOCK_EVENT_REFS_SQL,
  REFRESH_EVENT_REF_HEADS_SQL,
  eventPageSql,
  UPSERT_EVENTS_SQL,
  type PageFilter,
  type PageKind,
} from './events.queries.js';

/** An event as stored: its content (JSON text, fields in wire order) and the instants Plangate set (epoch ms). */
export interface StoredEvent {
  contentJson: string;
  /** Where the server's fields go in `contentJson` (stored at import), or null: then the text is scanned for it. */
  serverFieldsAt: number | null;
  createdMs: number;
  editedMs: number;
  deleted: boolean;
  deletedMs: number | null;
}

/** Which events a page selects (dates `yyyy-MM-dd`, `since` an instant). */
export type EventSelection =
  { kind: 'date'; date: string } | { kind: 'between'; start: string; end: string } | { kind: 'latest'; since: number };

/** Filters AND together; within one list, any id matches. */
export interface EventFilters {
  categoryIds?: number[];
  eventTypeIds?: number[];
  countryIds?: number[];
  /** Matched case-insensitively as a substring of summary, description, venue, organisationName. */
  keyword?: string;
  isHeadline?: boolean;
}

export interface ImportResult {
  inserted: number;
  updated: number;
  unchanged: number;
  ignoredFields: string[];
}

interface EventRow {
  body: string;
  server_fields_at: number | null;
  created_ms: number;
  edited_ms: number;
  deleted: boolean;
  deleted_ms: number | null;
}

function toStored(row: EventRow): StoredEvent {
  return {
    contentJson: row.body,
    serverFieldsAt: row.server_fields_at,
    createdMs: row.created_ms,
    editedMs: row.edited_ms,
    deleted: row.deleted,
    deletedMs: row.deleted_ms,
  };
}

/** What a caller may see: its account's events within its product entitlement and embargo access. */
export interface EventViewer {
  accountId: string;
  productId: number;
  embargoAccess: boolean;
  now: number;
}

/**
 * The event feed of an account: loaded and deleted by the operator, read by the account's users
 * within their product entitlement and embargo. Another account's event is "not found".
 */
@Injectable()
export class EventsService {
  constructor(private readonly store: StoreService) {}

  /** One page of the caller's visible events, in the selection's order. */
  async page(
    v: EventViewer,
    selection: EventSelection,
    filters: EventFilters,
    paging: { offset: number; limit: number },
  ): Promise<StoredEvent[]> {
    const kind: PageKind = selection.kind === 'latest' && v.embargoAccess ? 'latest-embargoed' : selection.kind;
    const params: unknown[] = [v.accountId, v.productId, v.now, v.embargoAccess];
    if (selection.kind === 'date') params.push(selection.date);
    else if (selection.kind === 'between') params.push(selection.start, selection.end);
    else params.push(selection.since);
    const used: PageFilter[] = [];
    const add = (name: PageFilter, value: unknown) => {
      used.push(name);
      params.push(value);
    };
    if (filters.categoryIds) add('categoryIds', filters.categoryIds);
    if (filters.eventTypeIds) add('eventTypeIds', filters.eventTypeIds);
    if (filters.countryIds) add('countryIds', filters.countryIds);
    if (filters.keyword !== undefined) add('keyword', filters.keyword.toLowerCase());
    if (filters.isHeadline !== undefined) add('isHeadline', filters.isHeadline);
    params.push(paging.limit, paging.offset);
    const rows = await this.store.queryPrepared<EventRow>(eventPageSql(kind, used), params);
    return rows.map(toStored);
  }

  /**
   * One event by id: not in the caller's account → NOT_FOUND; another product's or under embargo for the caller →
   * FORBIDDEN; a tombstone is returned as such.
   */
  async get(v: EventViewer, itemId: number): Promise<StoredEvent> {
    const [row] = await this.store.query<EventRow & { product_ids: number[]; embargo_ms: number | null }>(EVENT_BY_ID_SQL, [
      v.accountId,
      itemId,
    ]);
    if (!row) throw DomainError.notFound('event', `Event ${itemId} not found`);
    if (row.product_ids.length > 0 && !row.product_ids.includes(v.productId)) {
      throw new DomainError('FORBIDDEN', `You do not have access to event ${itemId}`, { reason: 'event_not_in_product' });
    }
    if (!v.embargoAccess && row.embargo_ms !== null && row.embargo_ms > v.now) {
      throw new DomainError('FORBIDDEN', `Event ${itemId} is under embargo`, { reason: 'event_embargoed' });
    }
    return toStored(row);
  }

  /** Distinct categories (and primary categories) of the caller's entitled events, names of the latest edit. */
  async categories(v: EventViewer): Promise<Record<string, unknown>[]> {
    const rows = await this.store.query<{ entry: Record<string, unknown> }>(CATEGORIES_SQL, [v.accountId, v.productId]);
    return rows.map((r) => r.entry);
  }

  async eventTypes(v: EventViewer): Promise<Record<string, unknown>[]> {
    const rows = await this.store.query<{ entry: Record<string, unknown> }>(EVENT_TYPES_SQL, [v.accountId, v.productId]);
    return rows.map((r) => r.entry);
  }

  /** Distinct countries: the `country` object, or `countryId`/`countryName` when it is null; id 0 skipped. */
  async countries(v: EventViewer): Promise<{ id: number; country: Record<string, unknown> | null; countryName: string }[]> {
    const rows = await this.store.query<{ id: number; country: Record<string, unknown> | null; country_name: string }>(COUNTRIES_SQL, [
      v.accountId,
      v.productId,
    ]);
    return rows.map((r) => ({ id: r.id, country: r.country, countryName: r.country_name ?? '' }));
  }

  // --- the operator's side (Admin API, CLI, demo seed): addressed by account id ---

  /** Upserts a validated batch in one transaction at one instant: all or nothing. */
  async import(accountId: string, batch: EventBatch): Promise<ImportResult> {
    const rows = batch.events.map((e) => ({
      item_id: e.itemId,
      body: e.content,
      // the body is stored as this very text (a json column keeps its input verbatim), so the offset holds for it
      server_fields_at: nullIfMissing(serverFieldsAt(JSON.stringify(e.content))),
      start_date: e.columns.startDate,
      end_date: e.columns.endDate,
      time: e.columns.time,
      is_headline: e.columns.isHeadline,
      country_id: e.columns.countryId,
      category_ids: e.columns.categoryIds,
      event_type_ids: e.columns.eventTypeIds,
      product_ids: e.columns.productIds,
      embargo_ms: e.columns.embargoMs,
      search_text: e.columns.searchText,
      source_edited_ms: e.sourceEditedMs,
    }));
    const written = await this.store.transaction(async (tx) => {
      await this.store.query(LOCK_EVENT_REFS_SQL, [accountId], tx);
      const changed = await this.store.write('insert', () =>
        this.store.query<{ inserted: boolean; item_id: number }>(UPSERT_EVENTS_SQL, [accountId, JSON.stringify(rows)], tx),
      );
      // only the events that changed: an unchanged one keeps its entries and its edited instant
      await this.refreshRefs(
        accountId,
        changed.map((r) => r.item_id),
        tx,
      );
      return changed;
    });
    const inserted = written.filter((r) => r.inserted).length;
    // The embedded store has no autovacuum: without fresh statistics its planner sorts a whole account to serve
    // one page instead of walking the index in order. Cheap (a sample) and only when rows were added.
    if (inserted > 0) await this.store.query('ANALYZE events, event_refs, event_ref_heads');
    return { inserted, updated: written.length - inserted, unchanged: rows.length - written.length, ignoredFields: batch.ignoredFields };
  }

  /**
   * The reference lists' entries of events that just changed (imported, revived or deleted), in the caller's
   * transaction under LOCK_EVENT_REFS_SQL: their old entries out, the live ones' new entries in, then the heads of
   * every id either touched.
   */
  private async refreshRefs(accountId: string, itemIds: number[], tx: Tx): Promise<void> {
    if (itemIds.length === 0) return;
    const dropped = await this.store.query<RefKey>(DROP_EVENT_REFS_SQL, [accountId, itemIds], tx);
    const added = await this.store.query<RefKey>(ADD_EVENT_REFS_SQL, [accountId, itemIds], tx);
    const keys = [...dropped, ...added];
    if (keys.length === 0) return;
    await this.store.query(
      REFRESH_EVENT_REF_HEADS_SQL,
      [accountId, keys.map((k) => k.kind), keys.map((k) => k.product_id), keys.map((k) => k.ref_id)],
      tx,
    );
  }

  /** Makes the event a tombstone (once: repeating it changes nothing); unknown → NOT_FOUND. */
  async delete(accountId: string, itemId: number): Promise<{ deletedMs: number }> {
    return this.store.transaction(async (tx) => {
      await this.store.query(LOCK_EVENT_REFS_SQL, [accountId], tx);
      const [changed] = await this.store.query<{ deleted_ms: number }>(DELETE_EVENT_SQL, [accountId, itemId], tx);
      if (changed) {
        await this.refreshRefs(accountId, [itemId], tx);
        return { deletedMs: changed.deleted_ms };
      }
      const [row] = await this.store.query<EventRow>(EVENT_BY_ID_SQL, [accountId, itemId], tx);
      if (!row) throw DomainError.notFound('event', `event ${itemId} not found`);
      return { deletedMs: row.deleted_ms! };
    });
  }
}

type RefKey = { kind: string; product_id: number; ref_id: number };

function nullIfMissing(offset: number): number | null {
  return offset < 0 ? null : offset;
}
