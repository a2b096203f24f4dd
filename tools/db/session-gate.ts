/**
 * A TCP gate in front of PGlite's socket server that admits one Postgres session at a time.
 *
 * Why (measured, see README "Database path"): PGlite is a single-session engine. Behind `pglite-socket`,
 * interleaved sessions corrupt each other (`portal "" does not exist`), and PGlite ignores the Terminate message,
 * so pooled connections never close. The gate queues client connections, forwards one session at a time with TCP
 * no-delay, and closes the session when the client sends Terminate ('X') or disconnects; pglite-socket then rolls
 * back any transaction the session left open, and the next queued client is admitted.
 */
import net from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export interface SessionGate {
  port: number;
  /** Sessions admitted so far (for tests and diagnostics). */
  readonly admitted: number;
  close(): Promise<void>;
}

export async function startSessionGate(opts: {
  upstreamPort: number;
  upstreamHost?: string;
  port?: number;
  host?: string;
}): Promise<SessionGate> {
  const upstreamHost = opts.upstreamHost ?? '127.0.0.1';
  const queue: net.Socket[] = [];
  const open = new Set<net.Socket>();
  let active: net.Socket | null = null;
  let admitted = 0;

  const pump = (): void => {
    while (!active && queue.length > 0) {
      const client = queue.shift()!;
      if (client.destroyed) continue;
      active = client;
      admitted++;
      runSession(client);
    }
  };

  const runSession = (client: net.Socket): void => {
    const upstream = net.connect({ port: opts.upstreamPort, host: upstreamHost });
    upstream.setNoDelay(true);
    open.add(upstream);
    let finished = false;
    let buf: Buffer = Buffer.alloc(0);
    let inStartup = true;

    const finish = (): void => {
      if (finished) return;
      finished = true;
      client.destroy();
      upstream.destroy();
      open.delete(upstream);
      // Give pglite-socket a tick to detach the handler (and roll back) before admitting the next session.
      setTimeout(() => {
        active = null;
        pump();
      }, 1);
    };

    const onClientData = (chunk: Buffer): void => {
      buf = buf.length === 0 ? chunk : Buffer.concat([buf, chunk]);
      let cut = 0;
      let terminate = false;
      for (;;) {
        if (inStartup) {
          if (buf.length - cut < 8) break;
          const len = buf.readInt32BE(cut);
          const code = buf.readInt32BE(cut + 4);
          if (buf.length - cut < len) break;
          cut += len;
          if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) inStartup = false;
          if (code === CANCEL_REQUEST) terminate = true;
        } else {
          if (buf.length - cut < 5) break;
          const type = buf[cut]!;
          const len = buf.readInt32BE(cut + 1);
          if (buf.length - cut < 1 + len) break;
          if (type === 0x58 /* 'X' Terminate */) {
            terminate = true;
            break;
          }
          cut += 1 + len;
        }
      }
      if (cut > 0) {
        upstream.write(buf.subarray(0, cut));
        buf = buf.subarray(cut);
      }
      if (terminate) finish();
    };

    upstream.on('connect', () => {
      client.on('data', onClientData);
      client.resume();
    });
    upstream.on('data', (d: Buffer) => {
      if (!client.destroyed) client.write(d);
    });
    upstream.on('error', finish);
    upstream.on('close', finish);
    client.on('error', finish);
    client.on('close', finish);
  };

  const server = net.createServer((client) => {
    client.setNoDelay(true);
    client.pause();
    open.add(client);
    client.on('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    queue.push(client);
    pump();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    port,
    get admitted() {
      return admitted;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of open) s.destroy();
        for (const s of queue) s.destroy();
        server.close(() => resolve());
      }),
  };
}
