/**
 * Ties the Workers runtime's ambient types to this Worker: `env` from `cloudflare:workers`/`cloudflare:test`
 * is our `Env`, and `exports` (ctx.exports, used by the workerd tests) is our main module.
 */
type WorkerEnv = import('./env').Env;

declare namespace Cloudflare {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type -- declaration merging needs the interface
  interface Env extends WorkerEnv {}
  interface GlobalProps {
    mainModule: typeof import('./index');
    durableNamespaces: 'HeartbeatMonitor';
  }
}
