import { type Type } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type AccountRef, type SettingsSection, type StoredSettings } from '#identity';
import { type LimitPolicy } from '#limits';
import { type ProtocolErrors } from '../common/wire-error.js';

/**
 * A protocol's work before routing: normalise its URL, refuse an unknown path or a wrong method, read its body as
 * it reads bodies. Throws a DomainError to refuse (the pipeline renders it in the protocol's format); returns
 * 'answered' when it has answered the request itself (a CORS preflight).
 */
export interface ProtocolTransport {
  beforeRouting(req: Request, res: Response): Promise<'continue' | 'answered'>;
}

/**
 * Everything the shared pipeline needs to know of one protocol. A new protocol is one folder whose descriptor is
 * added to the list in src/protocols/index.ts: its module is imported, its paths are routed to its transport and
 * every error on them, raised before or after routing, is answered by its renderer.
 */
export interface Protocol {
  /** The name in logs and metrics. */
  readonly name: string;
  /** Its controllers, guards and services (undefined: a format only, such as the gateway's fallback). */
  readonly module?: Type<unknown>;
  /** Whether a request path is this protocol's (the prefixes it is mounted at). */
  owns(path: string): boolean;
  /** How its errors look on the wire. */
  readonly errors: ProtocolErrors;
  /** Its step before routing: a class provided by its module (it may inject services), or a plain object. */
  readonly transport: Type<ProtocolTransport> | ProtocolTransport;
  /** Its section of an account's settings (`settings.<name>` in the Admin API), registered with #identity. */
  readonly settings?: SettingsSection;
  /** Its limit counted per account, for answers that read an account's usage without counting (Limiter.peek). */
  readonly accountQuota?: (stored: StoredSettings, account: AccountRef & { id: string }) => { policy: LimitPolicy; subject: string };
}

/** The protocols in the order their paths are tried, and the one that answers every other path. */
export class ProtocolRegistry {
  constructor(
    readonly protocols: readonly Protocol[],
    readonly fallback: Protocol,
  ) {}

  of(path: string): Protocol {
    return this.protocols.find((p) => p.owns(path)) ?? this.fallback;
  }

  /** The protocol of that name (a programming error when there is none). */
  named(name: string): Protocol {
    const found = this.protocols.find((p) => p.name === name);
    if (!found) throw new Error(`no protocol named ${name}`);
    return found;
  }

  /** The settings sections the protocols declare, for #identity's registry. */
  settingsSections(): SettingsSection[] {
    return this.protocols.flatMap((p) => (p.settings ? [p.settings] : []));
  }
}
