import { Inject, Injectable, type NestMiddleware } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { REQUEST_TIMED_OUT } from './wire/multipart-upload.js';

/** PlanSync reads a body with no Content-Type as JSON (docs/plansync.md); application/json is parsed globally. */
export const jsonWithoutContentType = express.json({ limit: '1mb', strict: false, type: (req) => !req.headers['content-type'] });

/**
 * The vendor's 120 s per request, upload transfer included: past it the answer is 504 and whatever was in progress
 * stops and writes nothing (the upload receiver listens for REQUEST_TIMED_OUT).
 */
@Injectable()
export class PlanSyncTimeoutMiddleware implements NestMiddleware {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  use(req: Request, res: Response, next: NextFunction): void {
    const timer = setTimeout(() => {
      req.emit(REQUEST_TIMED_OUT);
      if (!res.headersSent) {
        res.setHeader('Connection', 'close');
        res.status(504).json({ detail: `Request timed out after ${Math.round(this.config.requestTimeoutMs / 1000)} seconds` });
      }
    }, this.config.requestTimeoutMs);
    res.on('close', () => clearTimeout(timer));
    next();
  }
}
