/**
 * A thin database fault wrapper for the fault soak: `faultyOpenDb(rules)` is a drop-in for `openDb` whose pool
 * fails chosen statements before they reach Postgres, like a dropped connection or a statement timeout would.
 * Each rule matches SQL text and fires with its probability (seeded: the soak passes its own mulberry32 stream);
 * a rule with `burst` fails that many consecutive matching statements once it fires (e.g. every retry of the
 * alert `sent` write). BEGIN / COMMIT / ROLLBACK are never failed, so an injected fault inside a transaction
 * rolls it back cleanly, as a failed statement would. Production never uses this: the cron and the queue consumer
 * take `openDb` as an optional dependency and default to the real one.
 */
import type { Prng } from '../../shared/backtest/prng';
import { openDb, type DbHandle } from '../db';

export interface DbFaultRule {
  name: string;
  /** Statements this rule may fail (tested against the SQL text). */
  match: RegExp;
  /** Probability per matching statement. */
  rate: number;
  /** Once fired, fail this many consecutive matching statements (default 1). */
  burst?: number;
}

export interface DbFaults {
  openDb: typeof openDb;
  /** Faults injected so far, by rule name. */
  injected: Record<string, number>;
  /** Turn injection off (the drain phase) or on again. */
  enabled: boolean;
}

const CONTROL = /^\s*(begin|commit|rollback|savepoint|release)\b/i;

type QueryFn = (...args: unknown[]) => unknown;

function sqlText(arg: unknown): string {
  if (typeof arg === 'string') return arg;
  const text = arg && typeof arg === 'object' ? (arg as { text?: unknown }).text : undefined;
  return typeof text === 'string' ? text : '';
}

export function dbFaults(rules: readonly DbFaultRule[], rng: Prng): DbFaults {
  const injected: Record<string, number> = {};
  const pending = new Map<string, number>();
  const state: DbFaults = { openDb: () => undefined as never, injected, enabled: true };

  const check = (text: string): void => {
    if (!state.enabled || CONTROL.test(text)) return;
    for (const r of rules) {
      if (!r.match.test(text)) continue;
      const left = pending.get(r.name) ?? 0;
      const fire = left > 0 || rng.next() < r.rate;
      if (!fire) continue;
      pending.set(r.name, left > 0 ? left - 1 : (r.burst ?? 1) - 1);
      injected[r.name] = (injected[r.name] ?? 0) + 1;
      throw new Error(`injected database fault (${r.name}): connection terminated unexpectedly before: ${text.slice(0, 80)}`);
    }
  };

  // Every statement, pooled or in a transaction, reaches Postgres through a pooled client's `query`, called with a
  // promise or (by the pool itself) with a callback: a fault answers either form, never leaves one waiting.
  const wrap = (client: { query: QueryFn }): void => {
    const original = client.query.bind(client);
    client.query = (...args: unknown[]) => {
      try {
        check(sqlText(args[0]));
      } catch (err) {
        const callback = args.find((a): a is (e: unknown) => void => typeof a === 'function');
        if (!callback) return Promise.reject(err);
        queueMicrotask(() => callback(err));
        return undefined;
      }
      return original(...args);
    };
  };

  state.openDb = (config): DbHandle => {
    const handle = openDb(config);
    (handle.pool as unknown as { on(event: 'connect', fn: (client: { query: QueryFn }) => void): void }).on('connect', wrap);
    return handle;
  };
  return state;
}
