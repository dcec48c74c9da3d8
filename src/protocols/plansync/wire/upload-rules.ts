import { extname } from 'node:path';

/** Upload limit: 52,428,800 bytes; more answers 400 (the vendor's table, which clients branch on). */
export const MAX_UPLOAD_BYTES = 52_428_800;

export const CONTENT_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.doc': 'application/msword',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.xls': 'application/vnd.ms-excel',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
};

/**
 * A filename as the client sent it: 1–255 UTF-8 bytes after NFC, no `/`, `\`, `..`, NUL or control character.
 * Returns the normalized name, or undefined when it is not acceptable (400 `Invalid filename`).
 */
export function safeFilename(raw: string): string | undefined {
  const name = raw.normalize('NFC');
  const bytes = Buffer.byteLength(name, 'utf8');
  // eslint-disable-next-line no-control-regex
  if (bytes < 1 || bytes > 255 || /[/\\\x00-\x1f\x7f]/.test(name) || name.includes('..')) return undefined;
  return name;
}

/** The content type for an allowed extension (any case), or undefined. */
export function contentTypeOf(filename: string): string | undefined {
  return CONTENT_TYPES[extname(filename).toLowerCase()];
}

export function fileTypeNotAllowed(filename: string): string {
  return `File type '${extname(filename).toLowerCase()}' is not allowed. Allowed: ${Object.keys(CONTENT_TYPES).join(', ')}`;
}
