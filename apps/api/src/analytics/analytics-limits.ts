/** Injection token for the analytics queries' time and row guards (`QueryLimits`). */
export const ANALYTICS_LIMITS = Symbol('ANALYTICS_LIMITS');
