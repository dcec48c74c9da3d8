import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type DynamicModule, Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pinoPretty from 'pino-pretty';
import { type DestinationStream } from 'pino';
import { type AppConfig } from '#config';
import { type RequestWithPrincipal } from '#identity';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;
/** Query parameters that may carry a credential: their values never reach a log line. */
const SECRET_QUERY = /([?&](?:key|api_key|apikey|token|access_token|refresh_token|sid|password|secret|signature)=)[^&]*/gi;

export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-planasonix-api-key"]',
  'req.headers["x-planasonix-key"]',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.token',
  '*.refreshToken',
  '*.sid',
  '*.key',
];

/** Takes a well-formed X-Request-Id from the client, else makes one; echoes it on the response. */
export function requestId(req: IncomingMessage, res: ServerResponse): string {
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  return id;
}

function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  return q === -1 ? raw : raw.slice(0, q);
}

interface LogLine {
  msg?: string;
  context?: string;
  account?: string;
  responseTime?: number;
  req?: { method?: string; url?: string; protocol?: string };
  res?: { statusCode?: number };
}

/** One line a person reads: `GET /api/v1/files 200 3 ms plansync acme` for a request, `[Context] message` else. */
export function humanMessage(log: LogLine): string {
  if (log.req && log.res) {
    const who = [log.req.protocol, log.account].filter(Boolean).join(' ');
    return `${log.req.method} ${log.req.url} ${log.res.statusCode} ${log.responseTime ?? '?'} ms${who ? ` ${who}` : ''}`;
  }
  return log.context ? `[${log.context}] ${log.msg ?? ''}` : (log.msg ?? '');
}

/** Where lines go: the given stream (tests), else stdout as JSON lines or, for a person at a terminal, pretty lines. */
function destination(config: AppConfig, stream?: DestinationStream): DestinationStream {
  if (stream) return stream;
  const pretty = config.logFormat === 'pretty' || (config.logFormat === 'auto' && process.stdout.isTTY === true);
  if (!pretty) return process.stdout;
  return pinoPretty({
    colorize: process.stdout.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,req,res,responseTime,account,context',
    messageFormat: (log) => humanMessage(log as LogLine),
    sync: true,
  });
}

/**
 * Logs (pino): one line per request at info with protocol, route, status, duration, account; credentials redacted.
 * JSON lines for machines, readable lines at a terminal (LOG_FORMAT).
 */
@Module({})
export class LoggingModule {
  static forRoot(config: AppConfig, protocolOf: (path: string) => string, stream?: DestinationStream): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: [
            {
              level: config.logLevel,
              genReqId: requestId,
              redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
              // `res.err` too: a fault answered in a protocol's own format without a 5xx (Planfix answers 200) is an error.
              customLogLevel: (_req, res, err) => (err || (res as { err?: unknown }).err || res.statusCode >= 500 ? 'error' : 'info'),
              // pino-http calls this at the start and at the end of a request: only the account, known at the end.
              customProps: (req) => ({ account: (req as IncomingMessage & RequestWithPrincipal).principal?.accountSlug }),
              serializers: {
                req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress: string }) => ({
                  id: req.id,
                  protocol: protocolOf(pathOf(req.url)),
                  method: req.method,
                  url: (req.url ?? '').replace(SECRET_QUERY, '$1[redacted]'),
                  headers: req.headers,
                  remoteAddress: req.remoteAddress,
                }),
              },
            },
            destination(config, stream),
          ],
        }),
      ],
    };
  }
}
