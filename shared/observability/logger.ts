/**
 * The one structured logger, pure: every log record is one JSON line with `service`, `level`, `ts` (ISO-8601 UTC),
 * `trace_id` (request id, cron scheduled time, or queue message id; omitted when there is none), `msg`, then the
 * caller's fields. The clock, the current trace id and the sink are passed in, so the same code serves the Worker
 * (workers/observability/logger.ts: console sink, trace id from AsyncLocalStorage) and the Node tools.
 *
 * Hand-written rather than pino: pino writes through Node streams (sonic-boom) and its browser build drops the
 * line shape; what is needed here is ~40 lines of JSON formatting with an injected clock, which the `shared/`
 * purity rule (no clock, no I/O) requires anyway.
 */

export const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type LogFields = Record<string, unknown>;

export interface LogRecord {
  service: string;
  level: LogLevel;
  /** ms since the epoch. */
  ts: number;
  traceId?: string | undefined;
  msg: string;
  fields?: LogFields;
}

/** Reserved keys a caller's field may not overwrite (it is kept as `field_<key>` instead). */
const RESERVED = new Set(['service', 'level', 'ts', 'trace_id', 'msg']);

/** Errors become `{ name, message, stack }` (JSON.stringify would print `{}`); bigints become strings. */
function replacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return { name: value.name, message: value.message, ...(value.stack ? { stack: value.stack } : {}) };
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** One record as one JSON line (no trailing newline). Never throws: an unserialisable field is said so. */
export function formatLogLine(r: LogRecord): string {
  const out: Record<string, unknown> = { service: r.service, level: r.level, ts: new Date(r.ts).toISOString() };
  if (r.traceId) out.trace_id = r.traceId;
  out.msg = r.msg;
  for (const [k, v] of Object.entries(r.fields ?? {})) {
    if (v === undefined) continue;
    out[RESERVED.has(k) ? `field_${k}` : k] = v;
  }
  try {
    return JSON.stringify(out, replacer);
  } catch (err) {
    const { service, level, ts, trace_id, msg } = out;
    return JSON.stringify({ service, level, ts, trace_id, msg, log_error: `fields not serialisable: ${String(err)}` });
  }
}

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
  /** A logger that adds `fields` to every record (e.g. `{ stage: 'ingest' }`). */
  child(fields: LogFields): Logger;
}

export interface LoggerDeps {
  service: string;
  clock: () => number;
  /** The current trace id (read at each call, so an async context can supply it). */
  traceId?: () => string | undefined;
  sink: (level: LogLevel, line: string) => void;
  /** Records below this level are dropped (default `debug`: everything). */
  minLevel?: LogLevel;
}

export function createLogger(deps: LoggerDeps, base: LogFields = {}): Logger {
  const min = LOG_LEVELS.indexOf(deps.minLevel ?? 'debug');
  const emit = (level: LogLevel) => (msg: string, fields?: LogFields) => {
    if (LOG_LEVELS.indexOf(level) < min) return;
    deps.sink(level, formatLogLine({ service: deps.service, level, ts: deps.clock(), traceId: deps.traceId?.(), msg, fields: { ...base, ...fields } }));
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => createLogger(deps, { ...base, ...fields }),
  };
}
