import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '#config';
import { DomainError } from '#errors';
import { type Principal } from '#identity';
import { CompaniesRepository, canWriteFor } from '#planning';
import { StoreService } from '#store';
import { BlobMissingError, FolderBlobStore, STORAGE_KEY, type BlobStore, type StoredBlob } from './blob-store.js';
import { DatabaseBlobStore } from './database-blob-store.js';

export interface StoredFile {
  filename: string;
  companyName: string;
  documentType: string;
  contentType: string;
  size: number;
  sha256: string;
  storageKey: string;
  uploadedAt: Date;
}

export interface FileMetadata {
  filename: string;
  companyName: string;
  documentType: string;
  contentType: string;
}

const COLUMNS = `f.filename, c.name AS "companyName", f.document_type AS "documentType", f.content_type AS "contentType",
  f.size, f.sha256, f.storage_key AS "storageKey", f.uploaded_at AS "uploadedAt"`;

function notFound(): DomainError {
  return DomainError.notFound('file', 'File not found');
}

/**
 * Documents of a user: the blob is complete in its store (FILES_STORE: the folder DATA_DIR/files, or the database)
 * before its row commits; an overwrite moves the row to the new blob in one transaction and removes the old blob
 * after the commit.
 */
@Injectable()
export class FilesService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Files');
  readonly blobs: BlobStore;
  private readonly folder: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly store: StoreService,
    private readonly companies: CompaniesRepository,
  ) {
    this.folder = join(config.dataDir, 'files');
    this.blobs =
      config.filesStore === 'database' ? new DatabaseBlobStore(store) : new FolderBlobStore(this.folder, (key) => this.referenced(key));
  }

  /** Orphans (temp files, blobs of uploads that never committed) are swept at start. */
  async onApplicationBootstrap(): Promise<void> {
    const removed = await this.blobs.sweep();
    if (removed) this.logger.log(`swept ${removed} orphaned file(s)`);
    // after the sweep, which removes what an import cut short by a crash left
    if (this.blobs instanceof DatabaseBlobStore) await this.importFolder(this.blobs);
  }

  private async referenced(storageKey: string): Promise<boolean> {
    const [row] = await this.store.query(`SELECT 1 FROM files WHERE storage_key = $1`, [storageKey]);
    return !!row;
  }

  /**
   * The upgrade to FILES_STORE=database: the contents this instance's folder (DATA_DIR/files) holds for file rows
   * whose blob the database lacks are copied in under the same key, checked against the row's sha256, and only then
   * removed from the folder. Another instance's folder is imported by that instance's start.
   */
  private async importFolder(blobs: DatabaseBlobStore): Promise<void> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    let imported = 0;
    for (const name of names) {
      if (!STORAGE_KEY.test(name)) continue;
      const [row] = await this.store.query<{ sha256: string; size: string }>(`SELECT sha256, size FROM files WHERE storage_key = $1`, [
        name,
      ]);
      if (!row || (await blobs.has(name))) continue;
      try {
        const blob = await blobs.writeAs(name, createReadStream(join(this.folder, name)), Number(row.size));
        if (blob.sha256 !== row.sha256) {
          await blobs.remove(name);
          this.logger.warn(`file content ${name} in ${this.folder} does not match its checksum: left in the folder`);
          continue;
        }
        await unlink(join(this.folder, name));
        imported++;
      } catch (e) {
        this.logger.warn(`file content ${name} in ${this.folder} could not be copied into the database: ${(e as Error).message}`);
      }
    }
    if (imported) this.logger.log(`copied ${imported} file content(s) from ${this.folder} into the database`);
  }

  /** May the caller upload for that company? Checked before the bytes are stored. */
  assertCanWrite(p: Principal, companyName: string): void {
    if (!canWriteFor(p, companyName)) {
      throw new DomainError('FORBIDDEN', `Access denied for company '${companyName.trim()}'`, { reason: 'company_not_assigned' });
    }
  }

  /** Streams the content to a blob (see BlobStore.write); the caller then commits it with `commit`. */
  writeBlob(source: Readable, maxBytes: number): Promise<StoredBlob> {
    return this.blobs.write(source, maxBytes);
  }

  /** Commits an uploaded blob as the caller's file of that name (replacing an older one). */
  async commit(p: Principal, meta: FileMetadata, blob: StoredBlob): Promise<{ file: StoredFile; overwritten: boolean }> {
    this.assertCanWrite(p, meta.companyName);
    let previousKey: string | null = null;
    try {
      const result = await this.store.transaction(async (tx) => {
        const company = await this.companies.findOrCreate(p.accountId, meta.companyName, tx);
        const [prev] = await this.store.query<{ storageKey: string }>(
          `SELECT storage_key AS "storageKey" FROM files WHERE owner_user_id = $1 AND filename = $2 FOR UPDATE`,
          [p.userId, meta.filename],
          tx,
        );
        previousKey = prev?.storageKey ?? null;
        await this.store.query(
          `INSERT INTO files (account_id, owner_user_id, filename, company_id, document_type, content_type, size, sha256, storage_key)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (owner_user_id, filename) DO UPDATE SET company_id = EXCLUDED.company_id,
             document_type = EXCLUDED.document_type, content_type = EXCLUDED.content_type, size = EXCLUDED.size,
             sha256 = EXCLUDED.sha256, storage_key = EXCLUDED.storage_key, uploaded_at = clock_timestamp()`,
          [p.accountId, p.userId, meta.filename, company.id, meta.documentType, meta.contentType, blob.size, blob.sha256, blob.storageKey],
          tx,
        );
        const [file] = await this.store.query<StoredFile>(
          `SELECT ${COLUMNS} FROM files f JOIN companies c ON c.id = f.company_id WHERE f.owner_user_id = $1 AND f.filename = $2`,
          [p.userId, meta.filename],
          tx,
        );
        return { file: normalize(file), overwritten: !!prev };
      });
      if (previousKey) await this.blobs.remove(previousKey);
      return result;
    } catch (e) {
      await this.blobs.remove(blob.storageKey);
      throw e;
    }
  }

  /**
   * The file's content as a stream. A row whose blob the store does not have (lost, or kept in another instance's
   * folder) is answered as a missing file with a clear message, and logged for the operator.
   */
  async openContent(file: StoredFile): Promise<Readable> {
    try {
      return await this.blobs.open(file.storageKey);
    } catch (e) {
      if (!(e instanceof BlobMissingError)) throw e;
      this.logger.warn(`file ${file.storageKey} has no content in the ${this.blobs.kind} store (FILES_STORE)`);
      throw DomainError.notFound('file', 'File content not found: the file store has no content for this file');
    }
  }

  /** Deletes a blob that will not be committed (validation failed after the bytes arrived). */
  discard(blob: StoredBlob): Promise<void> {
    return this.blobs.remove(blob.storageKey);
  }

  async list(p: Principal, filters: { companyName?: string; documentType?: string } = {}): Promise<StoredFile[]> {
    const params: unknown[] = [p.userId];
    const where = ['f.owner_user_id = $1'];
    if (filters.companyName !== undefined) {
      params.push(filters.companyName);
      where.push(`c.name = $${params.length}`);
    }
    if (filters.documentType !== undefined) {
      params.push(filters.documentType);
      where.push(`f.document_type = $${params.length}`);
    }
    const rows = await this.store.query<StoredFile>(
      `SELECT ${COLUMNS} FROM files f JOIN companies c ON c.id = f.company_id WHERE ${where.join(' AND ')} ORDER BY f.filename COLLATE "C"`,
      params,
    );
    return rows.map(normalize);
  }

  async get(p: Principal, filename: string): Promise<StoredFile> {
    const [row] = await this.store.query<StoredFile>(
      `SELECT ${COLUMNS} FROM files f JOIN companies c ON c.id = f.company_id WHERE f.owner_user_id = $1 AND f.filename = $2`,
      [p.userId, filename],
    );
    if (!row) throw notFound();
    return normalize(row);
  }

  async delete(p: Principal, filename: string): Promise<void> {
    const [row] = await this.store.query<{ storageKey: string }>(
      `DELETE FROM files WHERE owner_user_id = $1 AND filename = $2 RETURNING storage_key AS "storageKey"`,
      [p.userId, filename],
    );
    if (!row) throw notFound();
    await this.blobs.remove(row.storageKey);
  }
}

function normalize(f: StoredFile): StoredFile {
  return { ...f, size: Number(f.size) };
}
