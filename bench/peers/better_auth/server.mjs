// The better-auth peer of the benchmarks: better-auth itself (the version pinned in package.json) on Node's http
// server through its own `toNodeHandler`, PostgreSQL through `pg`, rate limiting off, cookie cache on or off.
// bench/run.py installs the packages into a cache folder outside the repository and starts this file there.
//
// Routes: better-auth's own under /api/auth (`/ok` is its baseline, `/get-session` its protected read), and
// `GET /bench/sql`: SQL statements sent through pg since start (transaction control not counted, as the Python
// apps' SQLAlchemy listeners do not see it either), and the requests received.
//
// Environment: PORT, BA_DATABASE_URL, BA_SECRET, BA_URL, BA_COOKIE_CACHE ("" off, else compact|jwt|jwe).
import http from "node:http";
import pg from "pg";
import { betterAuth } from "better-auth";
import { toNodeHandler } from "better-auth/node";

const counts = { statements: 0, writes: 0, requests: 0 };
const TRANSACTION_CONTROL = /^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE|START TRANSACTION)\b/i;
const originalQuery = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, ...rest) {
  const text = typeof config === "string" ? config : (config?.text ?? "");
  if (!TRANSACTION_CONTROL.test(text)) {
    counts.statements += 1;
    if (!/^\s*SELECT\b/i.test(text)) counts.writes += 1;
  }
  return originalQuery.call(this, config, ...rest);
};

const cookieCache = process.env.BA_COOKIE_CACHE || "";
const auth = betterAuth({
  database: new pg.Pool({ connectionString: process.env.BA_DATABASE_URL }),
  secret: process.env.BA_SECRET,
  baseURL: process.env.BA_URL,
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  session: cookieCache ? { cookieCache: { enabled: true, strategy: cookieCache } } : {},
  telemetry: { enabled: false },
});
const handler = toNodeHandler(auth);

http
  .createServer((req, res) => {
    if (req.url === "/bench/sql") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(counts));
      return;
    }
    counts.requests += 1;
    handler(req, res);
  })
  .listen(Number(process.env.PORT), "127.0.0.1");
