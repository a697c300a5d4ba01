// Injection tokens for the values an app registers in its container. The
// classes it registers (`WorkerPool`, `JobQueue`) are their own tokens.

/**
 * The app's resolved options (`ResolvedOptions`): every default filled in.
 *
 * @example
 * constructor(@inject(HTTPPOOL_OPTIONS) options: ResolvedOptions) {
 *   this.limit = options.bodyLimit;
 * }
 */
export const HTTPPOOL_OPTIONS = Symbol('httppool.options');

/**
 * The app's pino logger (the one that writes the access lines); a request's
 * own child logger, carrying its id, is `req.log`.
 *
 * @example
 * constructor(@inject(HTTPPOOL_LOGGER) private readonly logger: Logger) {}
 */
export const HTTPPOOL_LOGGER = Symbol('httppool.logger');
