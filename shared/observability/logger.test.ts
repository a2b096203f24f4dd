import { describe, expect, it } from 'vitest';
import { createLogger, formatLogLine, type LogLevel } from './logger';

describe('formatLogLine', () => {
  it('writes service, level, ts, trace_id and msg first, then the fields', () => {
    const line = formatLogLine({ service: 'worker', level: 'warn', ts: Date.UTC(2022, 3, 15, 13, 55), traceId: 'cron:2022-04-15T13:55:00.000Z', msg: 'stage failed', fields: { stage: 'ingest', rows: 3 } });
    expect(Object.keys(JSON.parse(line))).toEqual(['service', 'level', 'ts', 'trace_id', 'msg', 'stage', 'rows']);
    expect(JSON.parse(line)).toMatchObject({ ts: '2022-04-15T13:55:00.000Z', trace_id: 'cron:2022-04-15T13:55:00.000Z', stage: 'ingest' });
    expect(line).not.toContain('\n');
  });

  it('omits a missing trace id and undefined fields; a field named like a reserved key is kept under field_', () => {
    const rec = JSON.parse(formatLogLine({ service: 's', level: 'info', ts: 0, msg: 'm', fields: { level: 'x', gone: undefined } }));
    expect(rec).toEqual({ service: 's', level: 'info', ts: '1970-01-01T00:00:00.000Z', msg: 'm', field_level: 'x' });
  });

  it('serialises errors with their message and bigints as strings; a cycle is said so, not thrown', () => {
    const rec = JSON.parse(formatLogLine({ service: 's', level: 'error', ts: 0, msg: 'm', fields: { err: new TypeError('boom'), n: 2n ** 70n } }));
    expect(rec.err).toMatchObject({ name: 'TypeError', message: 'boom' });
    expect(rec.n).toBe('1180591620717411303424');
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad = JSON.parse(formatLogLine({ service: 's', level: 'error', ts: 0, msg: 'm', fields: { cyclic } }));
    expect(bad.log_error).toMatch(/not serialisable/);
    expect(bad.msg).toBe('m');
  });
});

describe('createLogger', () => {
  it('reads the clock and trace id at each call, merges child fields, honours minLevel', () => {
    const lines: [LogLevel, string][] = [];
    let t = 1000;
    let trace: string | undefined = 'req-1';
    const log = createLogger({ service: 'tools', clock: () => t, traceId: () => trace, sink: (l, s) => lines.push([l, s]), minLevel: 'info' });
    log.debug('dropped');
    log.child({ stage: 'a' }).info('one', { n: 1 });
    t = 2000;
    trace = undefined;
    log.error('two');
    expect(lines.map(([l]) => l)).toEqual(['info', 'error']);
    expect(JSON.parse(lines[0]![1])).toMatchObject({ service: 'tools', trace_id: 'req-1', stage: 'a', n: 1, ts: '1970-01-01T00:00:01.000Z' });
    expect(JSON.parse(lines[1]![1])).not.toHaveProperty('trace_id');
  });
});
