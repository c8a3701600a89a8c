/**
 * Start-up cannot go on for a reason outside the configuration's content: the port is
 * taken, DATA_DIR is held by another process or cannot be written. The message is one
 * line that names the setting and its value, which is all the operator needs, so it
 * is printed as is, without a stack.
 */
export class StartupError extends Error {
  override name = 'StartupError';

  constructor(
    /** The setting to look at: `PORT`, `DATA_DIR`. */
    readonly setting: string,
    message: string,
  ) {
    super(message);
  }
}
