/**
 * What the application layer (`shared/app/`) needs from its host, injected by the caller: the Worker's jobs and
 * routes, the Node tools and the tests. The app layer orchestrates research over the database and may import the
 * pure core; it never reads a clock or touches a queue binding itself, so it runs unchanged in workerd and Node.
 */

/** Milliseconds since the epoch (the host's `Date.now`); used only for wall-time and duration provenance. */
export type Clock = () => number;

/** Sends job messages to the host's queue (the Worker batches them to the Queues limit). */
export type Enqueue<T> = (messages: readonly T[]) => Promise<void>;

/** The application layer's log calls (the host's structured logger once installed). */
export interface AppLog {
  error(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
}

let hostLog: AppLog | null = null;

/**
 * The host installs its logger once at start-up (the Worker's JSON-lines logger with trace ids does so when
 * `workers/observability/logger.ts` loads); the app layer has no clock to stamp records with itself.
 */
export function installAppLog(l: AppLog): void {
  hostLog = l;
}

/** Until a host logger is installed, records still reach stderr (as text, unstamped): never dropped. */
const fallback = (level: string) => (msg: string, fields?: Record<string, unknown>) => console.error(`[app ${level}] ${msg}${fields ? ` ${JSON.stringify(fields)}` : ''}`);

export const appLog: AppLog = {
  error: (m, f) => (hostLog ? hostLog.error(m, f) : fallback('error')(m, f)),
  warn: (m, f) => (hostLog ? hostLog.warn(m, f) : fallback('warn')(m, f)),
  info: (m, f) => (hostLog ? hostLog.info(m, f) : fallback('info')(m, f)),
};
