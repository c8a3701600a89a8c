/** A setting that stops start-up; its message names the setting (and says how to fix it). */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
