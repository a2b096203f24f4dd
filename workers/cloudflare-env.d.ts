/**
 * Ties the Workers runtime's ambient types to this Worker: `env` from `cloudflare:workers`/`cloudflare:test`
 * is our `Env`, and `exports` (ctx.exports, used by the workerd tests) is our main module.
 */
declare namespace Cloudflare {
  interface Env extends import('./env').Env {}
  interface GlobalProps {
    mainModule: typeof import('./index');
    durableNamespaces: 'HeartbeatMonitor';
  }
}
