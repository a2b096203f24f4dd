/**
 * `npm run research -- access-token [--email you@example.com] [--hours 12] [--raw]` (or `npx tsx
 * tools/dev/access-token.ts …`): mint a Cloudflare Access token for the local Access mode (`npm run dev --
 * --access`), signed by the dev runner's local key, and print it with a curl line that uses it and the Lab URL
 * that hands it to the Strategy Lab (`#access_token=…`: the Lab stores it in this browser and sends it as
 * `Cf-Access-Jwt-Assertion`). Prints only the token with `--raw`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { MIGRATIONS_DIR } from '../db/migrate';
import { labAccessUrl, mintAccessToken, readAccess } from './local-access';

/**
 * Runs the command with its own arguments; returns the exit code (1: no local Access key yet, or a bad flag, with
 * the reason on stderr). `dataDir` is where the dev runner keeps `access.json` (the repo's `.data`).
 */
export interface LocalAccessToken {
  token: string;
  email: string;
  team: string;
  aud: string;
  hours: number;
  /** The dev server's URL the token is for, and the Lab link that hands the token to the browser. */
  base: string;
  labUrl: string;
}

/** Mint a token for the local Access mode from `argv` (`--email`, `--hours`, `--port`); throws with the one-line reason. */
export async function mintLocalAccessToken(argv: string[], dataDir = join(MIGRATIONS_DIR, '..', '.data')): Promise<LocalAccessToken & { raw: boolean }> {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      email: { type: 'string', default: 'dev@localhost' },
      hours: { type: 'string', default: '12' },
      raw: { type: 'boolean', default: false },
      port: { type: 'string', default: process.env.PORT ?? '8787' },
    },
  });
  const hours = Number(values.hours);
  if (!(hours > 0 && hours <= 24 * 30)) throw new Error(`access-token: --hours must be a number of hours in (0, 720], got ${values.hours}`);
  let access: ReturnType<typeof readAccess>;
  try {
    access = readAccess(dataDir);
  } catch (err) {
    // A user who has not started the Access stack yet gets the one-line reason, not a stack trace.
    throw new Error(`access-token: ${(err as Error).message}`, { cause: err });
  }
  const token = await mintAccessToken(access, { email: values.email, ttlSeconds: Math.round(hours * 3600) });
  const base = `http://127.0.0.1:${values.port}`;
  return { token, email: values.email, team: access.team, aud: access.aud, hours, base, labUrl: labAccessUrl(base, token), raw: values.raw };
}

/** The human text of a minted token: the header value, the Lab link and a curl line. */
export function describeAccessToken(t: LocalAccessToken): string {
  return `Cf-Access-Jwt-Assertion for ${t.email} (team ${t.team}, aud ${t.aud}, valid ${t.hours} h):

${t.token}

  Lab:  ${t.labUrl}
        (opens the Strategy Lab with this token; it is kept in that browser until it expires)
  curl: TOKEN=$(npm run -s research -- access-token --raw) && curl -H "Cf-Access-Jwt-Assertion: $TOKEN" ${t.base}/api/status
`;
}

export async function accessTokenCommand(argv: string[], dataDir = join(MIGRATIONS_DIR, '..', '.data')): Promise<number> {
  try {
    const t = await mintLocalAccessToken(argv, dataDir);
    console.log(t.raw ? t.token : describeAccessToken(t));
    return 0;
  } catch (err) {
    console.error((err as Error).message);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await accessTokenCommand(process.argv.slice(2));
}
