/** drizzle-kit configuration: the schema lives in shared/db/schema, generated SQL in migrations/. */
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './shared/db/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
