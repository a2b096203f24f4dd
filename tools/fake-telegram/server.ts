/**
 * A fake Telegram Bot API for local dev and tests: `POST|GET /bot<token>/<method>` for the methods the platform
 * uses (sendMessage, getMe, setWebhook, deleteWebhook, getWebhookInfo, answerCallbackQuery, editMessageText), in
 * the real wire format (`{ ok: true, result }` / `{ ok: false, error_code, description, parameters? }`).
 * Parameters are read like the real server reads them: query string, JSON body, or urlencoded form.
 *
 * Test controls (not part of the Bot API):
 * - `GET /__calls[?method=sendMessage]` every recorded call, oldest first; `POST /__reset` clears calls and faults;
 * - `POST /__faults` `{ method, kind: '429' | '500', count, retryAfter }` (or an array) makes the next `count`
 *   calls of `method` (`*` for any) fail like Telegram's flood control (`retry_after`) or a 500; `GET /__faults`;
 * - `POST /__chaos` `{ seed, method, rate429, rate500, retryAfter?: [min, max] }` seeded random faults (the fault
 *   soak's): each call of `method` draws from a mulberry32 stream; below `rate429` it is a 429 with a retry_after
 *   drawn in [min, max] s (default [1, 1]), below `rate429 + rate500` a 500. Queued faults win. `GET /__chaos` the
 *   options and the faults drawn so far; `DELETE /__chaos` (or `/__reset`) turns it off.
 *
 * Local only: it binds to loopback by default. CLI: `npx tsx tools/fake-telegram/server.ts --port 8791`.
 */
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { mulberry32, type Prng } from '../../shared/backtest/prng';
import { toolLogger } from '../../workers/observability/logger';

const log = toolLogger('fake-telegram');

export type FaultKind = '429' | '500';

export interface Fault {
  /** A Bot API method name (case-insensitive) or `*`. */
  method: string;
  kind: FaultKind;
  /** How many matching calls fail (default 1). */
  count?: number;
  /** Seconds, sent as `parameters.retry_after` with a 429 (default 1). */
  retryAfter?: number;
}

export interface ChaosOptions {
  seed: number;
  /** A Bot API method name (case-insensitive) or `*`. */
  method: string;
  rate429: number;
  rate500: number;
  /** retry_after range of the 429s, seconds. Default [1, 1]. */
  retryAfter?: [number, number];
}

function parseChaos(b: unknown): ChaosOptions {
  const x = (b ?? {}) as Record<string, unknown>;
  const rate = (v: unknown) => typeof v === 'number' && v >= 0 && v <= 1;
  const ra = x.retryAfter;
  if (!Number.isInteger(x.seed) || typeof x.method !== 'string' || !rate(x.rate429) || !rate(x.rate500) || (x.rate429 as number) + (x.rate500 as number) > 1) {
    throw new Error('chaos needs { seed: integer, method, rate429, rate500 } with rates in [0, 1] summing to at most 1');
  }
  if (ra !== undefined && !(Array.isArray(ra) && ra.length === 2 && ra.every((n) => Number.isInteger(n) && n >= 1) && ra[0] <= ra[1])) {
    throw new Error('chaos retryAfter must be [min, max] whole seconds ≥ 1');
  }
  return { seed: x.seed as number, method: x.method.toLowerCase(), rate429: x.rate429 as number, rate500: x.rate500 as number, ...(ra ? { retryAfter: ra as [number, number] } : {}) };
}

export interface RecordedCall {
  seq: number;
  at: number;
  token: string;
  method: string;
  httpMethod: string;
  params: Record<string, unknown>;
  /** HTTP status and body the fake answered with. */
  status: number;
  response: unknown;
}

export interface FakeTelegram {
  url: string;
  port: number;
  calls(method?: string): RecordedCall[];
  reset(): void;
  setFaults(faults: Fault | Fault[]): void;
  /** Seeded random faults (`undefined` turns them off). */
  setChaos(options: ChaosOptions | undefined): void;
  close(): Promise<void>;
}

export interface FakeTelegramOptions {
  port?: number;
  host?: string;
  /** Only this token is accepted (others get 401 Unauthorized); by default any well-formed token is. */
  token?: string;
  /** The bot's username returned by getMe (default `fake_lab_bot`). */
  botUsername?: string;
  /** Log each call to stderr. */
  verbose?: boolean;
}

interface ApiAnswer {
  status: number;
  body: unknown;
}

const TOKEN_RE = /^(\d+):([A-Za-z0-9_-]+)$/;
const MAX_TEXT = 4096;

const ok = (result: unknown): ApiAnswer => ({ status: 200, body: { ok: true, result } });
const fail = (status: number, description: string, parameters?: Record<string, unknown>): ApiAnswer => ({
  status,
  body: { ok: false, error_code: status, description, ...(parameters ? { parameters } : {}) },
});

function coerce(value: string): unknown {
  // Form and query values are strings; the real server accepts JSON-serialised objects and numbers in them.
  const t = value.trim();
  if (/^-?\d+$/.test(t)) return Number(t);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t.startsWith('{') || t.startsWith('[')) {
    try {
      return JSON.parse(t);
    } catch {
      return value;
    }
  }
  return value;
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

type ParamsOrError = { params: Record<string, unknown>; error?: undefined } | { params?: undefined; error: ApiAnswer };

async function readParams(req: http.IncomingMessage, url: URL): Promise<ParamsOrError> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = coerce(v);
  const body = await readBody(req);
  if (!body.trim()) return { params };
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.includes('application/json')) {
    try {
      const parsed = JSON.parse(body) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(params, parsed);
    } catch {
      return { error: fail(400, "Bad Request: can't parse JSON object") };
    }
  } else if (type.includes('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body)) params[k] = coerce(v);
  } else if (type.includes('multipart/form-data')) {
    return { error: fail(400, 'Bad Request: multipart uploads are not supported by the fake') };
  }
  return { params };
}

export async function startFakeTelegram(opts: FakeTelegramOptions = {}): Promise<FakeTelegram> {
  const host = opts.host ?? '127.0.0.1';
  let calls: RecordedCall[] = [];
  let faults: Required<Fault>[] = [];
  let seq = 0;
  let webhook: { url: string; secret_token?: string; allowed_updates?: unknown; pending_update_count: number } = {
    url: '',
    pending_update_count: 0,
  };
  const messageIds = new Map<string, number>();
  let chaos: { options: ChaosOptions; rng: Prng; drawn: { '429': number; '500': number } } | undefined;
  const setChaos = (o: ChaosOptions | undefined): void => {
    chaos = o ? { options: parseChaos(o), rng: mulberry32(o.seed), drawn: { '429': 0, '500': 0 } } : undefined;
  };

  const setFaults = (f: Fault | Fault[]): void => {
    for (const x of Array.isArray(f) ? f : [f]) {
      if (!x || typeof x.method !== 'string' || (x.kind !== '429' && x.kind !== '500')) {
        throw new Error(`invalid fault ${JSON.stringify(x)}: expected { method, kind: '429' | '500', count?, retryAfter? }`);
      }
      faults.push({ method: x.method.toLowerCase(), kind: x.kind, count: x.count ?? 1, retryAfter: x.retryAfter ?? 1 });
    }
  };
  const reset = (): void => {
    calls = [];
    faults = [];
    seq = 0;
    messageIds.clear();
    chaos = undefined;
    webhook = { url: '', pending_update_count: 0 };
  };

  const botUser = (token: string) => ({
    id: Number(TOKEN_RE.exec(token)?.[1] ?? 0),
    is_bot: true,
    first_name: 'Fake Lab Bot',
    username: opts.botUsername ?? 'fake_lab_bot',
  });

  function takeFault(method: string): Required<Fault> | undefined {
    const m = method.toLowerCase();
    const f = faults.find((x) => x.count > 0 && (x.method === m || x.method === '*'));
    if (!f) return chaosFault(m);
    f.count--;
    faults = faults.filter((x) => x.count > 0);
    return f;
  }

  function chaosFault(m: string): Required<Fault> | undefined {
    if (!chaos || (chaos.options.method !== m && chaos.options.method !== '*')) return undefined;
    const { rng, options } = chaos;
    const r = rng.next();
    if (r < options.rate429) {
      const [lo, hi] = options.retryAfter ?? [1, 1];
      chaos.drawn['429']++;
      return { method: m, kind: '429', count: 1, retryAfter: rng.int(lo, hi + 1) };
    }
    if (r < options.rate429 + options.rate500) {
      chaos.drawn['500']++;
      return { method: m, kind: '500', count: 1, retryAfter: 1 };
    }
    return undefined;
  }

  function chatOf(chatId: unknown): { id: number | string; type: string } {
    if (typeof chatId === 'number') return { id: chatId, type: chatId < 0 ? (String(chatId).startsWith('-100') ? 'supergroup' : 'group') : 'private' };
    return { id: String(chatId), type: 'channel' };
  }

  function message(token: string, params: Record<string, unknown>, messageId?: number) {
    const chat = chatOf(params.chat_id);
    const key = String(chat.id);
    const id = messageId ?? (messageIds.get(key) ?? 0) + 1;
    if (messageId === undefined) messageIds.set(key, id);
    return {
      message_id: id,
      from: botUser(token),
      chat,
      date: Math.floor(Date.now() / 1000),
      text: String(params.text ?? ''),
      ...(params.entities ? { entities: params.entities } : {}),
    };
  }

  function checkText(params: Record<string, unknown>): ApiAnswer | undefined {
    if (params.chat_id === undefined || params.chat_id === '') return fail(400, 'Bad Request: chat_id is empty');
    if (params.text === undefined || String(params.text).trim() === '') return fail(400, 'Bad Request: message text is empty');
    if (String(params.text).length > MAX_TEXT) return fail(400, 'Bad Request: message is too long');
    const mode = params.parse_mode;
    if (mode !== undefined && !['HTML', 'Markdown', 'MarkdownV2'].includes(String(mode))) {
      return fail(400, `Bad Request: unsupported parse_mode "${String(mode)}"`);
    }
    return undefined;
  }

  function callMethod(token: string, method: string, params: Record<string, unknown>): ApiAnswer {
    switch (method.toLowerCase()) {
      case 'getme':
        return ok({
          ...botUser(token),
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
          can_connect_to_business: false,
          has_main_web_app: false,
        });
      case 'sendmessage':
        return checkText(params) ?? ok(message(token, params));
      case 'editmessagetext': {
        if (params.text === undefined || String(params.text).trim() === '') return fail(400, 'Bad Request: message text is empty');
        if (params.inline_message_id !== undefined) return ok(true);
        if (params.chat_id === undefined || params.message_id === undefined) {
          return fail(400, 'Bad Request: message identifier is not specified');
        }
        return ok({ ...message(token, params, Number(params.message_id)), edit_date: Math.floor(Date.now() / 1000) });
      }
      case 'answercallbackquery':
        if (!params.callback_query_id) return fail(400, 'Bad Request: query is too old and response timeout expired or query ID is invalid');
        return ok(true);
      case 'setwebhook': {
        const url = String(params.url ?? '');
        if (url && !/^https?:\/\//.test(url)) return fail(400, 'Bad Request: bad webhook: An HTTPS URL must be provided for webhook');
        const secret = params.secret_token === undefined ? undefined : String(params.secret_token);
        if (secret !== undefined && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) {
          return fail(400, 'Bad Request: secret token contains unallowed characters');
        }
        webhook = { url, secret_token: secret, allowed_updates: params.allowed_updates, pending_update_count: 0 };
        return { status: 200, body: { ok: true, result: true, description: url ? 'Webhook was set' : 'Webhook was deleted' } };
      }
      case 'deletewebhook': {
        const had = webhook.url !== '';
        webhook = { url: '', pending_update_count: 0 };
        return { status: 200, body: { ok: true, result: true, description: had ? 'Webhook was deleted' : 'Webhook is already deleted' } };
      }
      case 'getwebhookinfo':
        return ok({
          url: webhook.url,
          has_custom_certificate: false,
          pending_update_count: webhook.pending_update_count,
          ...(webhook.allowed_updates ? { allowed_updates: webhook.allowed_updates } : {}),
        });
      default:
        return fail(404, 'Not Found: method not found');
    }
  }

  async function handleBot(req: http.IncomingMessage, url: URL, token: string, method: string): Promise<ApiAnswer> {
    const parsed = await readParams(req, url);
    const record = (answer: ApiAnswer, p: Record<string, unknown>): ApiAnswer => {
      calls.push({
        seq: ++seq,
        at: Date.now(),
        token,
        method,
        httpMethod: req.method ?? 'GET',
        params: p,
        status: answer.status,
        response: answer.body,
      });
      if (opts.verbose) log.info('bot api call', { method, status: answer.status });
      return answer;
    };
    if (parsed.error) return record(parsed.error, {});
    const p = parsed.params;
    if (!TOKEN_RE.test(token) || (opts.token !== undefined && token !== opts.token)) return record(fail(401, 'Unauthorized'), p);
    const fault = takeFault(method);
    if (fault?.kind === '429') {
      return record(fail(429, `Too Many Requests: retry after ${fault.retryAfter}`, { retry_after: fault.retryAfter }), p);
    }
    if (fault?.kind === '500') return record(fail(500, 'Internal Server Error'), p);
    return record(callMethod(token, method, p), p);
  }

  const send = (res: http.ServerResponse, status: number, body: unknown): void => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://fake-telegram.local');
      const bot = /^\/bot([^/]+)\/([A-Za-z]+)\/?$/.exec(url.pathname);
      if (bot) {
        const answer = await handleBot(req, url, decodeURIComponent(bot[1]!), bot[2]!);
        send(res, answer.status, answer.body);
        return;
      }
      if (url.pathname === '/__calls' && req.method === 'GET') {
        const m = url.searchParams.get('method');
        send(res, 200, m ? calls.filter((c) => c.method.toLowerCase() === m.toLowerCase()) : calls);
        return;
      }
      if (url.pathname === '/__reset' && req.method === 'POST') {
        await readBody(req);
        reset();
        send(res, 200, { ok: true });
        return;
      }
      if (url.pathname === '/__chaos') {
        try {
          if (req.method === 'POST') setChaos(parseChaos(JSON.parse(await readBody(req))));
          const was = chaos;
          if (req.method === 'DELETE') setChaos(undefined);
          // Turning it off answers what it drew.
          send(res, 200, { ok: true, options: chaos?.options ?? null, drawn: (req.method === 'DELETE' ? was : chaos)?.drawn ?? {} });
        } catch (err) {
          send(res, 400, { ok: false, error: (err as Error).message });
        }
        return;
      }
      if (url.pathname === '/__faults') {
        if (req.method === 'GET') {
          send(res, 200, faults);
          return;
        }
        if (req.method === 'POST') {
          try {
            setFaults(JSON.parse(await readBody(req)) as Fault | Fault[]);
            send(res, 200, { ok: true, faults });
          } catch (err) {
            send(res, 400, { ok: false, error: (err as Error).message });
          }
          return;
        }
      }
      send(res, 404, { ok: false, error_code: 404, description: 'Not Found' });
    })().catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { ok: false, error_code: 500, description: String(err) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return {
    url: `http://${host}:${port}`,
    port,
    calls: (method) => (method ? calls.filter((c) => c.method.toLowerCase() === method.toLowerCase()) : [...calls]),
    reset,
    setFaults,
    setChaos,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  const eq = args.find((a) => a.startsWith(`${name}=`));
  return eq?.slice(name.length + 1);
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const port = Number(argValue(args, '--port') ?? 8791);
  const fake = await startFakeTelegram({ port, host: argValue(args, '--host'), token: argValue(args, '--token'), verbose: true });
  console.log(`fake Telegram Bot API at ${fake.url} (set TELEGRAM_API_ROOT=${fake.url}); calls at ${fake.url}/__calls`);
  const stop = (): void => {
    void fake.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err: unknown) => {
    log.error('fake Telegram failed', { error: err });
    process.exit(1);
  });
}
