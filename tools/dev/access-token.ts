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
export async function accessTokenCommand(argv: string[], dataDir = join(MIGRATIONS_DIR, '..', '.data')): Promise<number> {
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
  if (!(hours > 0 && hours <= 24 * 30)) {
    console.error(`access-token: --hours must be a number of hours in (0, 720], got ${values.hours}`);
    return 1;
  }
  let access: ReturnType<typeof readAccess>;
  try {
    access = readAccess(dataDir);
  } catch (err) {
    // A user who has not started the Access stack yet gets the one-line reason, not a stack trace.
    console.error(`access-token: ${(err as Error).message}`);
    return 1;
  }
  const token = await mintAccessToken(access, { email: values.email, ttlSeconds: Math.round(hours * 3600) });
  const base = `http://127.0.0.1:${values.port}`;
  if (values.raw) {
    console.log(token);
    return 0;
  }
  console.log(`Cf-Access-Jwt-Assertion for ${values.email} (team ${access.team}, aud ${access.aud}, valid ${values.hours} h):

${token}

  Lab:  ${labAccessUrl(base, token)}
        (opens the Strategy Lab with this token; it is kept in that browser until it expires)
  curl: TOKEN=$(npm run -s research -- access-token --raw) && curl -H "Cf-Access-Jwt-Assertion: $TOKEN" ${base}/api/status
`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await accessTokenCommand(process.argv.slice(2));
}
