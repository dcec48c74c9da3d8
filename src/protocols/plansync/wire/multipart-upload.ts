import busboy from 'busboy';
import { type Request } from 'express';
import { DomainError } from '#errors';
import { type FilesService, type StoredBlob } from '#files';
import { Issues, stringField } from './pydantic-issues.js';
import { contentTypeOf, fileTypeNotAllowed, MAX_UPLOAD_BYTES, safeFilename } from './upload-rules.js';

export interface ReceivedUpload {
  filename: string;
  contentType: string;
  companyName: string;
  documentType: string;
  blob: StoredBlob;
}

/** Emitted on the request by the timeout middleware: an upload in progress stops and leaves nothing. */
export const REQUEST_TIMED_OUT = 'plangate:timeout';

/**
 * Reads `multipart/form-data` (`file`, `company_name`, `document_type`, any order) while streaming the file to a blob:
 * never a buffer of the file. Problems are answered as FastAPI would: missing or invalid form fields 422, then the
 * file's name, type, size or count 400. Whatever is refused leaves no blob behind.
 */
export async function receiveUpload(req: Request, files: FilesService): Promise<ReceivedUpload> {
  const issues = new Issues();
  if (!/^multipart\/form-data/i.test(req.headers['content-type'] ?? '')) {
    for (const f of ['file', 'company_name', 'document_type']) issues.missing(['body', f], null);
    issues.throwIfAny();
  }

  const fields: Record<string, string> = {};
  let fileParts = 0;
  let fileError: string | undefined;
  let tooLarge = false;
  let raw: { filename: string; contentType: string } | undefined;
  let writing: Promise<StoredBlob> | undefined;
  let fileStream: (NodeJS.ReadableStream & { destroy(e?: Error): void }) | undefined;

  let parser: busboy.Busboy;
  try {
    // preservePath: the raw name is validated; busboy would otherwise turn `../x.pdf` into `x.pdf`.
    parser = busboy({
      headers: req.headers,
      preservePath: true,
      defParamCharset: 'utf8',
      limits: { fileSize: MAX_UPLOAD_BYTES + 1, fields: 20, fieldSize: 65_536, parts: 40 },
    });
  } catch {
    throw DomainError.malformed('the multipart body cannot be read (missing boundary)');
  }

  const done = new Promise<void>((resolve, reject) => {
    parser.on('field', (name, value) => {
      if (!(name in fields)) fields[name] = value;
    });
    parser.on('file', (name, stream, info) => {
      if (name !== 'file') return stream.resume();
      fileParts++;
      if (fileParts > 1) {
        fileError = 'Exactly one file is required';
        return stream.resume();
      }
      const filename = safeFilename(info.filename ?? '');
      if (!filename) {
        fileError = 'Invalid filename';
        return stream.resume();
      }
      const contentType = contentTypeOf(filename);
      if (!contentType) {
        fileError = fileTypeNotAllowed(filename);
        return stream.resume();
      }
      raw = { filename, contentType };
      fileStream = stream;
      stream.on('limit', () => {
        tooLarge = true;
      });
      // busboy stops the stream (and says 'limit') once it reaches one byte over the limit: at most that is written.
      writing = files.writeBlob(stream, MAX_UPLOAD_BYTES + 1);
      writing.catch(() => undefined);
    });
    parser.on('close', resolve);
    // Whatever stops the transfer also stops the blob being written, so that its temp file is removed.
    const stop = (why: string) => {
      fileStream?.destroy(new Error(why));
      reject(DomainError.malformed(why));
    };
    parser.on('error', (e) => stop(`the multipart body cannot be read: ${(e as Error).message}`));
    req.on('close', () => {
      if (!req.complete) stop('the upload was aborted');
    });
    req.once(REQUEST_TIMED_OUT, () => stop('the upload timed out'));
  });
  req.pipe(parser);

  let blob: StoredBlob | undefined;
  try {
    await done;
    blob = writing ? await writing : undefined;
  } catch (e) {
    req.unpipe(parser);
    if (writing) await writing.then((b) => files.discard(b)).catch(() => undefined);
    throw e;
  }

  const companyName =
    'company_name' in fields
      ? stringField(issues, ['body', 'company_name'], fields.company_name, 1, 255)
      : issues.missing(['body', 'company_name'], null);
  const documentType =
    'document_type' in fields
      ? stringField(issues, ['body', 'document_type'], fields.document_type, 1, 100)
      : issues.missing(['body', 'document_type'], null);
  if (fileParts === 0) issues.missing(['body', 'file'], null);
  const refuse = async (e: DomainError): Promise<never> => {
    if (blob) await files.discard(blob);
    throw e;
  };
  if (!issues.empty) {
    try {
      issues.throwIfAny();
    } catch (e) {
      return refuse(e as DomainError);
    }
  }
  if (fileError) return refuse(DomainError.invalid([], fileError));
  if (tooLarge) return refuse(DomainError.invalid([], 'File exceeds the 50 MB limit'));
  if (!blob || blob.size === 0) return refuse(DomainError.invalid([], 'File is empty'));
  return { filename: raw!.filename, contentType: raw!.contentType, companyName: companyName!, documentType: documentType!, blob };
}
