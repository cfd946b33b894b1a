// MySQL statements per operation on the sale-day paths, counted from MariaDB's general log, for
// docs/scaling.md. Not a test: figures only. It switches the server's general log on (to a file
// in the temporary directory) for the run and off again at the end.
//   node --import @swc-node/register/esm-register bench/mysql-costs.ts [users]
// An in-process server on a fresh test database; USERS users sign up, enter (ACTIVE at once),
// charge; then, phase by phase, the statements of the connections to that database are counted:
// issueQueueToken, reserveSeat (one seat each), payReservation (each pays its hold).
import "reflect-metadata";
import { readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as mariadb from "mariadb";
import { createApp } from "../src/app.js";
import { createLogger } from "../src/platform/logger.js";
import { GraphQLTestClient } from "../tests/helpers/graphql-client.js";
import { createTestEnv } from "../tests/helpers/test-env.js";

const USERS = Math.min(Number(process.argv[2] ?? 40), 50);
const LOG = join(tmpdir(), `general-${process.pid}.log`);
const admin = await mariadb.createConnection({ host: "127.0.0.1", port: 3306, user: "root" });
const [{ file }] = (await admin.query("SELECT @@general_log_file AS file")) as [{ file: string }];
const env = createTestEnv({ QUEUE_MAX_ACTIVE: "1000", LOG_LEVEL: "error" });
const database = new URL(env.databaseUrl).pathname.slice(1);
await admin.query("SET GLOBAL general_log_file = ?", [LOG]);
await admin.query("SET GLOBAL general_log = 1");
const app = createApp(env.config, { log: createLogger("error") });
const marks: Record<string, number> = {};
const mark = (name: string) => (marks[name] = statSync(LOG).size);
try {
  const { port } = await app.start();
  const client = new GraphQLTestClient(`http://127.0.0.1:${port}`);
  const concertId = (await client.data<{ concerts: { id: string }[] }>("{ concerts { id } }")).concerts[0]!
    .id;
  const users = [];
  for (let i = 0; i < USERS; i++)
    users.push(
      (
        await client.data<{ signUp: { userId: string; accessKey: string } }>(
          'mutation { signUp(name: "b") { userId accessKey } }',
        )
      ).signUp,
    );
  mark("issue");
  const tokens: string[] = [];
  for (const u of users)
    tokens.push(
      (
        await client.data<{ issueQueueToken: { token: string } }>(
          "mutation($u: ID!, $k: String!, $c: ID!) { issueQueueToken(userId: $u, accessKey: $k, concertId: $c) { token } }",
          { u: u.userId, k: u.accessKey, c: concertId },
        )
      ).issueQueueToken.token,
    );
  mark("charge");
  for (const t of tokens) await client.data("mutation { chargeBalance(amount: 1000000) { balance } }", {}, t);
  const dateId = (
    await client.data<{ availableDates: { id: string }[] }>(
      "query($c: ID!) { availableDates(concertId: $c) { id } }",
      { c: concertId },
      tokens[0],
    )
  ).availableDates[0]!.id;
  mark("hold");
  const holds: string[] = [];
  for (let i = 0; i < USERS; i++)
    holds.push(
      (
        await client.data<{ reserveSeat: { id: string } }>(
          "mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id } }",
          { d: dateId, n: i + 1 },
          tokens[i],
        )
      ).reserveSeat.id,
    );
  mark("pay");
  for (let i = 0; i < USERS; i++)
    await client.data(
      "mutation($r: ID!) { payReservation(reservationId: $r) { id } }",
      { r: holds[i] },
      tokens[i],
    );
  mark("end");
} finally {
  await admin.query("SET GLOBAL general_log = 0");
  await admin.query("SET GLOBAL general_log_file = ?", [file]);
  await admin.end();
  await app.stop();
  await env.cleanup();
}

// Threads that connected to our database, then their statements per phase.
const text = readFileSync(LOG, "utf8");
if (!process.env["KEEP_LOG"]) rmSync(LOG, { force: true });
const ours = new Set<string>();
for (const m of text.matchAll(/(\d+) Connect\t\S+ on (\S+)/g)) if (m[2] === database) ours.add(m[1]!);
const phases = ["issue", "charge", "hold", "pay"] as const;
const next = { issue: "charge", charge: "hold", hold: "pay", pay: "end" } as const;
const report: Record<string, unknown> = { users: USERS };
for (const phase of phases) {
  const slice = text.slice(marks[phase], marks[next[phase]]);
  const kinds = new Map<string, number>();
  let total = 0;
  for (const m of slice.matchAll(/^\S*\s*\S*\s+(\d+) Query\t\s*(\S+)(?:\s+(\S+))?/gm)) {
    if (!ours.has(m[1]!)) continue;
    total++;
    const verb = m[2]!.toUpperCase();
    const kind = verb === "START" || verb === "SET" ? `${verb} ${m[3] ?? ""}`.trim() : verb;
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  report[phase] = {
    statementsPerCall: +(total / USERS).toFixed(2),
    byKind: Object.fromEntries([...kinds].map(([k, n]) => [k, +(n / USERS).toFixed(2)])),
  };
}
console.log(JSON.stringify(report));
