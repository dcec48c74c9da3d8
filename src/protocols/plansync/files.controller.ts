import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiParam, ApiProduces, ApiQuery } from '@nestjs/swagger';
import { type Request, type Response } from 'express';
import { pipeline } from 'node:stream/promises';
import { DomainError } from '#errors';
import { FilesService } from '#files';
import { CurrentPrincipal, type Principal } from '#identity';
import { PlanSyncApi } from './plansync-auth.guard.js';
import { receiveUpload } from './wire/multipart-upload.js';
import { optionalText } from './wire/plansync-query.js';
import { contentDisposition, fileEntry, fileLocation, fileMetadata } from './wire/plansync.serializers.js';
import { safeFilename } from './wire/upload-rules.js';

/** A filename from the path (already percent-decoded): the upload rules, else 400 `Invalid filename`. */
function filenameParam(raw: string): string {
  const name = safeFilename(raw);
  if (!name) throw DomainError.malformed('Invalid filename');
  return name;
}

@PlanSyncApi()
@Controller('api/v1/files')
export class FilesController {
  constructor(private readonly files: FilesService) {}

  @Post('upload')
  @HttpCode(200)
  @ApiOperation({ summary: 'Upload a document (≤ 50 MB, streamed to disk); the same filename overwrites' })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['file', 'company_name', 'document_type'],
      properties: {
        file: { type: 'string', format: 'binary', description: '.pdf .doc .docx .xls .xlsx .jpg .jpeg .png' },
        company_name: { type: 'string', minLength: 1, maxLength: 255 },
        document_type: { type: 'string', minLength: 1, maxLength: 100, example: 'Plan Document' },
      },
    },
  })
  async upload(@CurrentPrincipal() p: Principal, @Req() req: Request) {
    const upload = await receiveUpload(req, this.files);
    const { file, overwritten } = await this.files.commit(
      p,
      { filename: upload.filename, companyName: upload.companyName, documentType: upload.documentType, contentType: upload.contentType },
      upload.blob,
    );
    return {
      message: 'File uploaded successfully',
      filename: file.filename,
      overwritten,
      file_location: fileLocation(file.filename),
      metadata: fileMetadata(file),
    };
  }

  @Get()
  @ApiOperation({ summary: "The caller's files, by filename" })
  @ApiQuery({ name: 'company_name', required: false })
  @ApiQuery({ name: 'document_type', required: false })
  async list(@CurrentPrincipal() p: Principal, @Query() query: Record<string, unknown>) {
    const files = await this.files.list(p, {
      companyName: optionalText(query, 'company_name'),
      documentType: optionalText(query, 'document_type'),
    });
    return { count: files.length, files: files.map(fileEntry) };
  }

  @Get(':filename')
  @ApiOperation({ summary: 'Download a file byte for byte (Content-Disposition: attachment)' })
  @ApiParam({ name: 'filename', description: 'Exact, percent-encoded' })
  @ApiProduces('application/octet-stream')
  async download(@CurrentPrincipal() p: Principal, @Param('filename') filename: string, @Res() res: Response) {
    const file = await this.files.get(p, filenameParam(filename));
    const body = await this.files.openContent(file);
    res.status(200).set({
      'Content-Type': file.contentType,
      'Content-Length': String(file.size),
      ETag: `"${file.sha256}"`,
      'X-Content-Type-Options': 'nosniff',
      'Content-Disposition': contentDisposition(file.filename),
    });
    await pipeline(body, res).catch(() => res.destroy());
  }

  @Delete(':filename')
  @ApiOperation({ summary: 'Delete a file' })
  @ApiParam({ name: 'filename', description: 'Exact, percent-encoded' })
  async remove(@CurrentPrincipal() p: Principal, @Param('filename') filename: string) {
    const name = filenameParam(filename);
    await this.files.delete(p, name);
    return { message: 'File deleted successfully', filename: name };
  }
}
