/** Values the workerd tests receive from test/global-setup.ts through vitest's provide/inject. */
declare module 'vitest' {
  export interface ProvidedContext {
    /** Fake exchange root (control endpoints /__faults, /__now, /__requests); venues under /binance … */
    fakeExchangeUrl: string;
    /** Fake data.binance.vision root; modes under /ms, /us, /header, /badsum, /error. */
    fakeArchiveUrl: string;
    /** null when ../shared/data is present; otherwise why the real-data suites skip (workers/real-data.test-util.ts). */
    sharedDataSkipReason: string | null;
  }
}
export {};
