/** A lifetime as session specs write it (`{ value: 1, unit: 'hours' }`), as in Ductape's configs. */
export const DURATION_UNITS = ['seconds', 'minutes', 'hours', 'days', 'weeks'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface Duration {
  value: number;
  unit: DurationUnit;
}

const UNIT_MS: Record<DurationUnit, number> = {
  seconds: 1_000,
  minutes: 60_000,
  hours: 3_600_000,
  days: 86_400_000,
  weeks: 604_800_000,
};

export function durationToMs(duration: Duration): number {
  return duration.value * UNIT_MS[duration.unit];
}
