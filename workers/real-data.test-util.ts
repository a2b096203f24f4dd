/**
 * The workerd tests' twin of `shared/testing/data.ts`: whether the real recorded material in ../shared/data is
 * there (decided by test/global-setup.ts in Node and provided to workerd), and a `describe` that skips with the
 * reason when it is not (a clone without ../shared/data, e.g. the GitHub workflow). The fakes it feeds (exchange,
 * archive) serve nothing without it, so those suites cannot run there.
 */
import { describe, inject } from 'vitest';

export const SHARED_DATA_SKIP_REASON = inject('sharedDataSkipReason');
export const HAS_SHARED_DATA = SHARED_DATA_SKIP_REASON === null;

/** `describe` when ../shared/data exists, otherwise a skipped suite whose name carries the reason. */
export function describeWithData(name: string, fn: () => void): void {
  if (HAS_SHARED_DATA) describe(name, fn);
  else describe.skip(`${name} [skipped: ${SHARED_DATA_SKIP_REASON}]`, fn);
}
