import { Inject, Injectable } from '@nestjs/common';
import express, { type Request, type Response } from 'express';
import { APP_CONFIG, type AppConfig } from '#config';
import { EVENT_IMPORT_MAX_BYTES } from '#events';
import { IMPORT_LIMITS } from '#planning';
import { readJsonOrForm, runParser } from '../common/json-body.js';
import { type ProtocolTransport } from '../pipeline/protocol.js';
import { adminTokenRequired, hasAdminToken } from './admin-auth.guard.js';

/** Event imports: JSON of up to 20 MiB, where the usual limit is 1 MiB. */
const EVENTS_IMPORT = /^\/admin\/accounts\/[^/]+\/events\/?$/i;
const eventsJson = express.json({ limit: EVENT_IMPORT_MAX_BYTES, strict: false });
/** Spreadsheet imports: CSV bodies of up to 50 MB. */
const SPREADSHEET_IMPORT = /^\/admin\/accounts\/[^/]+\/spreadsheets\/[^/]+\/import\/?$/i;
const spreadsheetCsv = express.raw({ type: ['text/csv', 'application/csv', 'text/plain'], limit: IMPORT_LIMITS.maxBytes });

/**
 * Bodies of the Admin API: JSON or forms of 1 MiB, and the two imports whose bodies may be 20–50 MB, read only once
 * the admin token is checked (guards run after routing, too late): nobody without it may make the process hold one.
 * The refusal is the guard's 401, with `Connection: close`: Node discards whatever the client still sends as it
 * arrives (never buffered) and closes the connection once the answer is out.
 */
@Injectable()
export class AdminTransport implements ProtocolTransport {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  async beforeRouting(req: Request, res: Response): Promise<'continue'> {
    const post = req.method === 'POST';
    if (post && EVENTS_IMPORT.test(req.path)) {
      this.requireToken(req, res);
      await runParser(eventsJson, req, res);
    }
    await readJsonOrForm(req, res);
    if (post && SPREADSHEET_IMPORT.test(req.path)) {
      this.requireToken(req, res);
      await runParser(spreadsheetCsv, req, res);
    }
    return 'continue';
  }

  private requireToken(req: Request, res: Response): void {
    if (hasAdminToken(req, this.config.adminToken)) return;
    res.setHeader('Connection', 'close');
    throw adminTokenRequired();
  }
}
