/**
 * A local WebSocket-to-TCP proxy speaking Neon's wsproxy convention (`/v1?address=host:port`), so the very same
 * `@neondatabase/serverless` code path the Worker uses against Neon in production reaches a local Postgres
 * (embedded PGlite behind the session gate, or the server in DATABASE_URL) from inside workerd.
 * Local only: it binds to loopback and only forwards to loopback addresses.
 */
import net from 'node:net';
import { createRequire } from 'node:module';
import type { WebSocketServer as WsServer, WebSocket as WsSocket } from 'ws';

// Loaded with createRequire: under vitest's resolver a plain import of `ws` picks its browser stub.
const require = createRequire(import.meta.url);
const { WebSocketServer } = require('ws') as { WebSocketServer: typeof WsServer };

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export interface WsProxy {
  port: number;
  /** Value for the Worker's DB_WS_PROXY var, e.g. `127.0.0.1:8788/v1`. */
  endpoint: string;
  close(): Promise<void>;
}

export async function startWsProxy(opts: { port?: number; host?: string } = {}): Promise<WsProxy> {
  const host = opts.host ?? '127.0.0.1';
  const wss = new WebSocketServer({ port: opts.port ?? 0, host, perMessageDeflate: false });
  const sockets = new Set<net.Socket>();
  wss.on('connection', (ws: WsSocket, req) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const address = url.searchParams.get('address') ?? '';
    const idx = address.lastIndexOf(':');
    const targetHost = address.slice(0, idx);
    const targetPort = Number(address.slice(idx + 1));
    if (!LOOPBACK.has(targetHost) || !Number.isInteger(targetPort)) {
      ws.close(1008, 'only loopback Postgres targets are proxied');
      return;
    }
    const tcp = net.connect({ host: targetHost.replace(/^\[|\]$/g, ''), port: targetPort });
    tcp.setNoDelay(true);
    sockets.add(tcp);
    const pending: Buffer[] = [];
    let connected = false;
    tcp.on('connect', () => {
      connected = true;
      for (const p of pending) tcp.write(p);
      pending.length = 0;
    });
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      // `ws` hands binary frames over as Buffers (its default binaryType): written as they are, not copied.
      const buf = Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data);
      if (connected) tcp.write(buf);
      else pending.push(buf);
    });
    tcp.on('data', (d) => {
      if (ws.readyState === ws.OPEN) ws.send(d);
    });
    const end = (): void => {
      sockets.delete(tcp);
      tcp.destroy();
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.close();
    };
    tcp.on('close', end);
    tcp.on('error', end);
    ws.on('close', end);
    ws.on('error', end);
  });
  await new Promise<void>((resolve, reject) => {
    wss.once('listening', () => resolve());
    wss.once('error', reject);
  });
  const addr = wss.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    port,
    endpoint: `${host}:${port}/v1`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        for (const c of wss.clients) c.terminate();
        wss.close(() => resolve());
      }),
  };
}
