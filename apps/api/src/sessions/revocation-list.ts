import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Clock } from '@waymark/domain';
import { RevokedSession, SESSION_STORE, SessionStore } from '@waymark/session-store';
import { CLOCK } from '../shared/domain.providers';

const PURGE_EVERY_MS = 60_000;

/**
 * Revoked sessions whose tokens could still be presented, held in memory so that
 * verifying a token needs no store read. Filled from the store at start and told of
 * every revocation this process commits, so a revoked session is refused at once.
 */
@Injectable()
export class RevocationList implements OnModuleInit, OnApplicationShutdown {
  private readonly revoked = new Map<string, RevokedSession>();
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(SESSION_STORE) private readonly store: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const entry of await this.store.listRevoked(this.clock())) this.revoked.set(entry.sessionId, entry);
    this.store.onRevoked((entry) => this.revoked.set(entry.sessionId, entry));
    this.purgeTimer = setInterval(() => this.purgeExpired(), PURGE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.purgeTimer);
  }

  isRevoked(sessionId: string): boolean {
    return this.revoked.has(sessionId);
  }

  /** Once a session is past its end no token of it can pass the expiry check anyway. */
  private purgeExpired(): void {
    const now = this.clock();
    for (const [sessionId, entry] of this.revoked) if (entry.refreshExpiresAt <= now) this.revoked.delete(sessionId);
  }
}
