import { randomBytes } from "node:crypto";
import pg from "pg";

/**
 * Real PostgreSQL and Redis for the clustered setup's tests: `.ci/run` starts both and sets the URLs.
 * Suites that need them use `describeWith(POSTGRES_AND_REDIS, …)` from prerequisites.ts.
 */
export const POSTGRES_URL = process.env.CLAWCALL_TEST_POSTGRES_URL;
export const REDIS_URL = process.env.CLAWCALL_TEST_REDIS_URL;

/** A fresh, empty database for one test file; returns its URL and a function that drops it. */
export async function freshDatabase(adminUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clawcall_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      // A closed pg pool resolves before its sockets are gone; forcing them off then raises an error in the
      // test process. Let them leave on their own first (FORCE only for one that lingers).
      for (let i = 0; i < 50; i++) {
        const { rows } = await c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [
          name,
        ]);
        if (rows[0].n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}
