import { ValueProvider } from '@nestjs/common';
import { WaymarkConfig } from '@waymark/config';
import { Clock, IdGenerator, SessionCatalog, createUuidV7Generator, systemClock } from '@waymark/domain';

/** Injection tokens for what the domain takes as parameters, so tests can pin them. */
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');
/** Specs named in the config file, created at start-up when the store never had them. */
export const SEED_SPECS = Symbol('SEED_SPECS');

/** `clock`: the system clock unless a test drives time itself (timeouts, test/support/manual-clock.ts). */
export function domainProviders(config: WaymarkConfig, clock: Clock = systemClock): ValueProvider[] {
  return [
    { provide: CLOCK, useValue: clock },
    { provide: ID_GENERATOR, useValue: createUuidV7Generator() satisfies IdGenerator },
    { provide: SessionCatalog, useValue: new SessionCatalog(config.products) },
    { provide: SEED_SPECS, useValue: config.seedSpecs },
  ];
}
