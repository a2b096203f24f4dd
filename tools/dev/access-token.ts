/**
 * `npx tsx tools/dev/access-token.ts [--email you@example.com] [--hours 12]`: mint a Cloudflare Access token for
 * the local Access mode (`npm run dev -- --access`), signed by the dev runner's local key, and print it with a
 * curl line that uses it. Prints only the token with `--raw`.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIGRATIONS_DIR } from '../db/migrate';
import { mintAccessToken, readAccess } from './local-access';

const { values } = parseArgs({
  options: {
    email: { type: 'string', default: 'dev@localhost' },
    hours: { type: 'string', default: '12' },
    raw: { type: 'boolean', default: false },
    port: { type: 'string', default: process.env.PORT ?? '8787' },
  },
});

const dataDir = join(MIGRATIONS_DIR, '..', '.data');
let access: ReturnType<typeof readAccess>;
try {
  access = readAccess(dataDir);
} catch (err) {
  // A user who has not started the Access stack yet gets the one-line reason, not a stack trace.
  console.error(`access-token: ${(err as Error).message}`);
  process.exit(1);
}
const token = await mintAccessToken(access, { email: values.email, ttlSeconds: Math.round(Number(values.hours) * 3600) });
if (values.raw) {
  console.log(token);
} else {
  console.log(`Cf-Access-Jwt-Assertion for ${values.email} (team ${access.team}, aud ${access.aud}, valid ${values.hours} h):

${token}

  curl -H 'Cf-Access-Jwt-Assertion: ${token.slice(0, 16)}…' http://127.0.0.1:${values.port}/api/status
  TOKEN=$(npx tsx tools/dev/access-token.ts --raw) && curl -H "Cf-Access-Jwt-Assertion: $TOKEN" http://127.0.0.1:${values.port}/api/status
`);
}
