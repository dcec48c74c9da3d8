import { type StoredFile } from '#files';
import { type Touchpoint } from '#planning';
import { naiveTimestamp } from './plansync-time.js';

export function touchpointBody(t: Touchpoint) {
  return {
    unid: t.unid,
    company_name: t.companyName,
    touchpoints: t.touchpoints,
    reporting_quarter: t.reportingQuarter,
    reporting_year: t.reportingYear,
    stakeholders: t.stakeholders,
    date: t.date,
    time_spent: t.timeSpent,
    include_in_annual_review_report: t.includeInAnnualReviewReport,
    year: t.year,
    created_by: t.createdBy,
    created_at: naiveTimestamp(t.createdAt),
    updated_at: naiveTimestamp(t.updatedAt),
  };
}

/** The download path of a file: its name percent-encoded. */
export function fileLocation(filename: string): string {
  return `/api/v1/files/${encodeURIComponent(filename)}`;
}

export function fileMetadata(f: StoredFile) {
  return {
    filename: f.filename,
    company_name: f.companyName,
    document_type: f.documentType,
    content_type: f.contentType,
    size: f.size,
    sha256: f.sha256,
    uploaded_at: naiveTimestamp(f.uploadedAt),
  };
}

export function fileEntry(f: StoredFile) {
  const { filename, ...rest } = fileMetadata(f);
  return { filename, file_location: fileLocation(f.filename), ...rest };
}

/**
 * RFC 6266 `Content-Disposition`: an ASCII fallback (non-ASCII, `"` and `\` → `_`) and the exact name in
 * `filename*` (UTF-8, percent-encoded).
 */
export function contentDisposition(filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const exact = encodeURIComponent(filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `attachment; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
