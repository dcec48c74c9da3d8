import { Inject, Injectable } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { readJsonOrForm, runParser } from '../../common/json-body.js';
import { type ProtocolTransport } from '../../pipeline/protocol.js';
import { REQUEST_TIMED_OUT } from './wire/multipart-upload.js';

/** Paths under /api/v1 (in any case, as Express routes them). */
const API = /^\/api\/v1\//i;

/** PlanSync reads a body with no Content-Type as JSON (docs/plansync.md). */
const jsonWithoutContentType = express.json({ limit: '1mb', strict: false, type: (req) => !req.headers['content-type'] });

/**
 * Before routing (docs/plansync.md): JSON or form bodies; under /api/v1 also JSON sent with no Content-Type, and the
 * vendor's 120 s per request, upload transfer included: past it the answer is 504 and whatever was in progress stops
 * and writes nothing (the upload receiver listens for REQUEST_TIMED_OUT). Unknown paths and wrong methods are the
 * router's 404, which the error renderer turns into 405 where the path exists.
 */
@Injectable()
export class PlanSyncTransport implements ProtocolTransport {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async beforeRouting(req: Request, res: Response): Promise<'continue'> {
    await readJsonOrForm(req, res);
    if (!API.test(req.path)) return 'continue';
    const timer = setTimeout(() => {
      req.emit(REQUEST_TIMED_OUT);
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        res.status(504).json({ detail: `Request timed out after ${Math.round(this.config.requestTimeoutMs / 1000)} seconds` });
      }
    }, this.config.requestTimeoutMs);
    res.on('close', () => clearTimeout(timer));
    await runParser(jsonWithoutContentType, req, res);
    return 'continue';
  }
}
