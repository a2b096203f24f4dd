/**
 * The logger's edge: the pure JSON-lines logger (shared/observability/logger.ts) with the real clock, a console
 * sink and the current trace id from an AsyncLocalStorage. Entry points open a trace: the Hono request id
 * middleware (`trace_id` = the request id), the cron (`cron:<scheduled time ISO>`), the queue consumer (the
 * message id). Everything logged inside — however deep — carries that trace id without passing it around.
 *
 * The Node tools import the same module (`toolLogger('dev')`): Node has AsyncLocalStorage too, and their logs go
 * to stderr so stdout stays the command's output.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createLogger, type LogLevel, type Logger } from '../../shared/observability/logger';
import { installAppLog } from '../../shared/app/ports';

const traces = new AsyncLocalStorage<string>();

/** Run `fn` with `traceId` as the trace of every record logged inside it (async continuations included). */
export function withTrace<T>(traceId: string, fn: () => T): T {
  return traces.run(traceId, fn);
}

export function currentTraceId(): string | undefined {
  return traces.getStore();
}

/** The cron's trace id: the cycle's scheduled time (market time when the dev runner replays a recording). */
export function cronTraceId(scheduledTime: number): string {
  return `cron:${new Date(scheduledTime).toISOString()}`;
}

const consoleSink = (level: LogLevel, line: string): void => {
  if (level === 'error') console.error(line);
  else if (level === 'warn') console.warn(line);
  else console.log(line);
};

/** A logger for `service` ('worker' for everything in the Worker). */
export function serviceLogger(service: string, sink: (level: LogLevel, line: string) => void = consoleSink): Logger {
  return createLogger({ service, clock: () => Date.now(), traceId: currentTraceId, sink });
}

/** The Worker's logger. */
export const log: Logger = serviceLogger('worker');

// The application layer (shared/app) logs through the host's logger: the Worker's, with its trace ids.
installAppLog(log);

/** A Node tool's logger: the same lines, all on stderr. */
export function toolLogger(service: string): Logger {
  return serviceLogger(service, (_level, line) => console.error(line));
}
