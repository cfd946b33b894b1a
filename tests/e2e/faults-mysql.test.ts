// MySQL down, simulated by cutting a TCP proxy between a real server process and MariaDB:
// calls that need MySQL answer SERVICE_UNAVAILABLE without hanging, Redis-only calls keep
// working, the process stays up, /readyz says 503, nothing is half-written, and the service
// recovers by itself when the database is reachable again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ISSUE, STATUS, eventually, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import { call, startServerProcess, type ServerProcess } from "../helpers/server-processes.js";
import { createTestEnv, type TestEnv } from "../helpers/test-env.js";
import { TcpProxy } from "./faults-proxy.js";

const CHARGE = `mutation($k: String) { chargeBalance(amount: 1000, idempotencyKey: $k) { balance } }`;

describe("MySQL down and back", () => {
  const proxy = new TcpProxy("127.0.0.1", 3306);
  let env: TestEnv;
  let server: ServerProcess;
  let user: TestUser;
  let ticket: Ticket;

  beforeAll(async () => {
    const port = await proxy.start();
    env = createTestEnv({ LOG_LEVEL: "info" });
    const url = new URL(env.databaseUrl);
    url.port = String(port);
    server = await startServerProcess({ ...env.env, DATABASE_URL: url.toString() });
    const concerts = await call(server, "{ concerts { id } }");
    const concertId = (concerts.data!["concerts"] as { id: string }[])[0]!.id;
    user = (await call(server, 'mutation { signUp(name: "m") { userId accessKey } }')).data![
      "signUp"
    ] as TestUser;
    ticket = (await call(server, ISSUE, { ...user, concertId })).data!["issueQueueToken"] as Ticket;
    expect((await call(server, CHARGE, { k: "before" }, ticket.token)).errors).toBeUndefined();
  });
  afterAll(async () => {
    await server?.stop();
    await proxy.cut();
    await env?.cleanup();
  });

  it("answers SERVICE_UNAVAILABLE where MySQL is needed, keeps the queue working, and recovers", async () => {
    await proxy.cut();

    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "unavailable", checks: { mysql: "down", redis: "ok" } });

    const needMysql = await Promise.all([
      call(server, "{ concerts { id } }"),
      call(server, 'mutation { signUp(name: "x") { userId } }'),
      call(server, "{ balance { balance } }", {}, ticket.token),
      call(server, CHARGE, { k: "during" }, ticket.token),
    ]);
    for (const body of needMysql) {
      expect(body.errors?.[0]?.extensions?.code, JSON.stringify(body)).toBe("SERVICE_UNAVAILABLE");
      expect(body.errors![0]!.message).not.toMatch(/prisma|mariadb|ECONN|3306|SQL|pool/i);
    }
    // The queue lives in Redis: polling still works.
    expect((await call(server, STATUS, {}, ticket.token)).errors).toBeUndefined();
    expect(server.child.exitCode).toBeNull();

    await proxy.start();
    await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 60_000, 250);
    await eventually(async () => !(await call(server, "{ concerts { id } }")).errors, 60_000, 250);

    // The charge refused during the outage changed nothing: retrying its key charges once.
    const balance = async () =>
      (
        (await call(server, "{ balance { balance } }", {}, ticket.token)).data!["balance"] as {
          balance: number;
        }
      ).balance;
    expect(await balance()).toBe(1000);
    expect((await call(server, CHARGE, { k: "during" }, ticket.token)).errors).toBeUndefined();
    expect((await call(server, CHARGE, { k: "during" }, ticket.token)).errors).toBeUndefined();
    expect(await balance()).toBe(2000);
    expect(server.output()).not.toContain(user.accessKey);
    expect(server.output()).not.toContain(ticket.token);
  });
});
