/**
 * The one Node API the Worker uses, typed for the workers tsconfig (which has Workers types, not Node's):
 * workerd provides `node:async_hooks` AsyncLocalStorage under the `nodejs_compat` flag (wrangler.toml).
 */
declare module 'node:async_hooks' {
  export class AsyncLocalStorage<T> {
    getStore(): T | undefined;
    run<R>(store: T, callback: () => R): R;
  }
}
