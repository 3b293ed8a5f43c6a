// Prints the DDL better-auth 1.7.25's own migrator (getMigrations from "better-auth/db/migration") runs on an empty
// database, with the interop app's options (api-key plugin) and `rateLimit.storage: "database"` (so the `rateLimit`
// table is included too). It wrote tests/fixtures/better-auth-1.7.25-<dialect>.sql:
//
//   node schema.mjs sqlite                              (no database needed: a stub that is always empty)
//   node schema.mjs postgres postgres://.../empty_db    (a real, empty PostgreSQL database; nothing is written)
//
// Run it from the folder the interop fixture installs the pinned packages into (tests/interop/node.py).
import { apiKey } from "@better-auth/api-key";
import { getMigrations } from "better-auth/db/migration";
import { SqliteDialect } from "kysely";
import pg from "pg";

// A better-sqlite3 look-alike whose every query answers no rows: to the migrator, an empty SQLite database.
const emptySqlite = {
  prepare: () => ({ reader: true, all: () => [], run: () => ({ changes: 0, lastInsertRowid: 0 }), iterate: () => [] }),
  close: () => {},
};

const [dialect, url] = process.argv.slice(2);
const database =
  dialect === "sqlite"
    ? { dialect: new SqliteDialect({ database: emptySqlite }), type: "sqlite" }
    : new pg.Pool({ connectionString: url, max: 1 });
const plan = await getMigrations({
  baseURL: "http://127.0.0.1",
  secret: "schema-dump-secret-0123456789-abcdefghij",
  database,
  emailAndPassword: { enabled: true },
  rateLimit: { storage: "database" },
  telemetry: { enabled: false },
  plugins: [apiKey({ enableSessionForAPIKeys: true })],
});
console.log(`${await plan.compileMigrations()}`);
if (dialect !== "sqlite") await database.end();
