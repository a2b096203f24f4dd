/**
 * `npm run research -- compare --runs a,b,c [--json] [--api URL]`: 2–6 runs side by side, the same table as the Lab's
 * compare page, read from a running Worker's `GET /api/compare` (default: the `npm run dev` server on
 * http://127.0.0.1:$PORT, 8787 unless set) so the CLI and the page print identical numbers. Behind Cloudflare
 * Access, set CF_ACCESS_CLIENT_ID / CF_ACCESS_CLIENT_SECRET (a service token) and they are sent as Access headers.
 * Text table by default, the Comparison object with `--json`.
 */
import { comparisonRows, parseRunIds, type Comparison } from '../../shared/lab/compare';
import { table } from './term';

export const DEFAULT_LAB_URL = `http://127.0.0.1:${process.env.PORT ?? '8787'}`;

export async function compareCommand(
  opts: { runs: string; json?: boolean; api?: string },
  deps: { fetch?: typeof fetch; out?: (s: string) => void; env?: Record<string, string | undefined> } = {},
): Promise<Comparison> {
  const ids = parseRunIds(opts.runs);
  const out = deps.out ?? ((s: string) => process.stdout.write(s));
  const env = deps.env ?? process.env;
  const base = (opts.api ?? DEFAULT_LAB_URL).replace(/\/$/, '');
  const headers: Record<string, string> = { accept: 'application/json' };
  if (env.CF_ACCESS_CLIENT_ID && env.CF_ACCESS_CLIENT_SECRET) {
    headers['CF-Access-Client-Id'] = env.CF_ACCESS_CLIENT_ID;
    headers['CF-Access-Client-Secret'] = env.CF_ACCESS_CLIENT_SECRET;
  }
  const url = `${base}/api/compare?runs=${ids.map(encodeURIComponent).join(',')}`;
  let res: Response;
  try {
    res = await (deps.fetch ?? fetch)(url, { headers });
  } catch (err) {
    throw new Error(`compare: the Lab API at ${base} is not reachable (${(err as Error).message}); start it with \`npm run dev\` or pass --api URL`, { cause: err });
  }
  const text = await res.text();
  if (!res.ok) throw new Error(`GET /api/compare → HTTP ${res.status}: ${text.slice(0, 500)}`);
  const c = JSON.parse(text) as Comparison;
  out(opts.json ? JSON.stringify(c, null, 2) + '\n' : table(comparisonRows(c)));
  return c;
}
