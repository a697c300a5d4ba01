// Injection tokens for the values an app registers in its container.

/** The app's resolved options (`ResolvedOptions`). */
export const HTTPPOOL_OPTIONS = Symbol('httppool.options');

/** The app's pino logger. */
export const HTTPPOOL_LOGGER = Symbol('httppool.logger');
