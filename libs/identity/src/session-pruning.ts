import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { batchDelete, Pruner, StoreService } from '#store';

/**
 * Ended sessions go SESSION_RETENTION_DAYS after they end: a refresh token past its expiry (spent or not: it can
 * no longer be renewed, and a replayed one is refused as expired), a family revoked or whose every token expired
 * (with its tokens), a Planfix session past its expiry. Tokens first, so that a family whose last token went is
 * found in the same pass.
 */
@Injectable()
export class SessionPruning implements OnModuleInit {
  constructor(
    private readonly store: StoreService,
    private readonly pruner: Pruner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    const cutoff = () => new Date(Date.now() - this.config.prune.sessionRetentionMs);
    this.pruner.register(
      batchDelete(
        this.store,
        'refresh_tokens',
        `DELETE FROM refresh_tokens WHERE id IN (SELECT id FROM refresh_tokens WHERE expires_at < $1 LIMIT $2)`,
        cutoff,
      ),
      batchDelete(
        this.store,
        'revoked refresh_families',
        `DELETE FROM refresh_families WHERE id IN (SELECT id FROM refresh_families WHERE revoked_at < $1 LIMIT $2)`,
        cutoff,
      ),
      batchDelete(
        this.store,
        'expired refresh_families',
        `DELETE FROM refresh_families WHERE id IN (
           SELECT f.id FROM refresh_families f
            WHERE f.revoked_at IS NULL AND f.created_at < $1
              AND NOT EXISTS (SELECT 1 FROM refresh_tokens t WHERE t.family_id = f.id AND t.expires_at >= $1)
            LIMIT $2)`,
        cutoff,
      ),
      batchDelete(
        this.store,
        'xml_sessions',
        `DELETE FROM xml_sessions WHERE sid_sha256 IN (SELECT sid_sha256 FROM xml_sessions WHERE expires_at < $1 LIMIT $2)`,
        cutoff,
      ),
    );
  }
}
