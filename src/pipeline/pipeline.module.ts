import {
  Catch,
  Injectable,
  Module,
  RequestMethod,
  type ArgumentsHost,
  type DynamicModule,
  type ExceptionFilter,
  type MiddlewareConsumer,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { type NextFunction, type Request, type Response } from 'express';
import { type DomainError } from '#errors';
import { requestId } from '../logging/logging.module.js';
import { toDomainError } from '../common/to-domain-error.js';
import { answerException, sendWireError } from '../common/wire-error.js';
import { ProtocolRegistry, type Protocol, type ProtocolTransport } from './protocol.js';

/**
 * The one step before routing, for every request: the protocol that owns the path runs its transport (URL, route
 * check, body); a refusal is answered in that protocol's format. Mounted after the request logger, so that every
 * answer, refusals included, is logged with its request id.
 */
@Injectable()
export class TransportMiddleware implements NestMiddleware {
  private readonly transports = new Map<Protocol, ProtocolTransport>();

  constructor(
    private readonly registry: ProtocolRegistry,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** A transport class is resolved in its protocol's module at its first request (middleware get no init hook). */
  private transportOf(protocol: Protocol): ProtocolTransport {
    let transport = this.transports.get(protocol);
    if (!transport) {
      const t = protocol.transport;
      transport = typeof t === 'function' ? this.moduleRef.get<ProtocolTransport>(t, { strict: false }) : t;
      this.transports.set(protocol, transport);
    }
    return transport;
  }

  async use(req: Request, res: Response, next: NextFunction): Promise<void> {
    const protocol = this.registry.of(req.path);
    try {
      if ((await this.transportOf(protocol).beforeRouting(req, res)) === 'continue') next();
    } catch (e) {
      const domain = toDomainError(e);
      if (!domain) return next(e);
      sendWireError(res, protocol.errors.render(domain, req));
    }
  }
}

/**
 * Every error that reaches Nest's exception layer, from a guard, a pipe, a controller or the router's own 404, is
 * answered by the protocol that owns the path: one filter, no per-controller copies.
 */
@Catch()
export class ProtocolExceptionFilter implements ExceptionFilter {
  constructor(private readonly registry: ProtocolRegistry) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    answerException(exception, host, this.registry.of(host.switchToHttp().getRequest<Request>().path).errors);
  }
}

/** A domain error answered outside Nest (the drain of main.ts) in the format of the protocol of the path. */
export function answerInProtocolFormat(registry: ProtocolRegistry, req: Request, res: Response, error: DomainError): void {
  const withId = req as Request & { id?: unknown };
  withId.id ??= requestId(req, res);
  sendWireError(res, registry.of(req.path).errors.render(error, req));
}

/**
 * The registry, injectable anywhere (the Admin API reads a protocol's quota through it). A module of its own and
 * without middleware: a global module's middleware would run before the logger's (Nest orders global modules first).
 */
@Module({})
class ProtocolRegistryModule {}

/** The shared request pipeline over the given protocols: imported right after the logging module. */
@Module({})
export class PipelineModule implements NestModule {
  static forRoot(registry: ProtocolRegistry): DynamicModule {
    return {
      module: PipelineModule,
      imports: [
        {
          module: ProtocolRegistryModule,
          global: true,
          providers: [{ provide: ProtocolRegistry, useValue: registry }],
          exports: [ProtocolRegistry],
        },
      ],
      providers: [TransportMiddleware],
    };
  }

  /** As a route for every method: mounted with `use`, Express would cut the path from `req.url` inside it. */
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(TransportMiddleware).forRoutes({ path: '{*path}', method: RequestMethod.ALL });
  }
}
