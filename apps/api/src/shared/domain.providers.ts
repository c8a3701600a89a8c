import { ValueProvider } from '@nestjs/common';
import { Clock, IdGenerator, SessionCatalog, createUuidV7Generator, systemClock } from '@waymark/domain';

/** Injection tokens for what the domain takes as parameters, so tests can pin them. */
export const CLOCK = Symbol('CLOCK');
export const ID_GENERATOR = Symbol('ID_GENERATOR');

export function domainProviders(catalog: SessionCatalog): ValueProvider[] {
  return [
    { provide: CLOCK, useValue: systemClock satisfies Clock },
    { provide: ID_GENERATOR, useValue: createUuidV7Generator() satisfies IdGenerator },
    { provide: SessionCatalog, useValue: catalog },
  ];
}
