// Start and stop of real server processes in the production configuration (NODE_ENV=production,
// a secret of its own, rate limits on, GraphiQL and introspection off), as the Dockerfile and
// docker-compose.yml run them: graceful stop on SIGTERM and SIGINT, idle and under load, JSON
// logs, and the start-up refusals (bad variable, default secret, MySQL or Redis unreachable).
import { once } from "node:events";
import { connect } from "node:net";
import { describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  runToExit,
  startCluster,
  UNREACHABLE_DATABASE,
  type ServerProcess,
} from "../helpers/server-processes.js";
import { createTestEnv, productionOverrides } from "../helpers/test-env.js";

const GRACE_MS = 5000; // SHUTDOWN_GRACE_MS's default, which production runs with
const LOAD_LOOPS = 4;

/** Signals the process and measures until it exits. */
async function signalAndTime(server: ServerProcess, signal: NodeJS.Signals) {
  const started = Date.now();
  const code = await server.stop(signal);
  return { code, ms: Date.now() - started };
}

/** The JSON log lines of a process (production logs are JSON, one object per line). */
function logLines(output: string): { msg?: string; level?: number }[] {
  return output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as { msg?: string; level?: number });
}

/** Waits until `ready()` holds; fails naming `what` after 10 s. */
async function until(what: string, ready: () => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Opens a graphql-ws connection; resolves at connection_ack with the promise of its close code. */
async function openGraphQLSocket(url: string): Promise<{ closed: Promise<number> }> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
  const closed = new Promise<number>((resolve) => socket.once("close", (code) => resolve(code)));
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.once("open", () => socket.send(JSON.stringify({ type: "connection_init", payload: {} })));
    socket.once("message", (data: Buffer) =>
      JSON.parse(data.toString()).type === "connection_ack"
        ? resolve()
        : reject(new Error(`expected connection_ack, got ${data.toString()}`)),
    );
  });
  return { closed };
}

describe("production: graceful stop with no traffic", () => {
  it("exits 0 on SIGTERM and on SIGINT at once, logging JSON", async () => {
    const cluster = await startCluster(2, productionOverrides({ LOG_LEVEL: "info" }));
    try {
      const [a, b] = cluster.servers as [ServerProcess, ServerProcess];
      const term = await signalAndTime(a, "SIGTERM");
      const int = await signalAndTime(b, "SIGINT");
      console.log(`production SIGTERM idle: exit ${term.code} after ${term.ms} ms`);
      console.log(`production SIGINT idle: exit ${int.code} after ${int.ms} ms`);
      for (const [server, result, signal] of [
        [a, term, "SIGTERM"],
        [b, int, "SIGINT"],
      ] as const) {
        // main.ts exits 1 ("shutdown took too long") after SHUTDOWN_GRACE_MS + 5 s.
        expect(result.code, server.output()).toBe(0);
        expect(result.ms).toBeLessThan(GRACE_MS);
        // Production logs are JSON, one object per line, and nothing else on stdout.
        const stdout = server
          .output()
          .split("\n")
          .filter((l) => l.startsWith("{") || l.startsWith("["));
        expect(stdout.every((l) => l.startsWith("{"))).toBe(true);
        const msgs = logLines(server.output()).map((l) => l.msg);
        expect(msgs).toContain("shutting down");
        expect(msgs).toContain("stopped");
        expect(msgs).not.toContain("shutdown took too long; exiting");
        expect(server.output()).toContain(`"signal":"${signal}"`);
      }
    } finally {
      await cluster.stop();
    }
  });
});

describe("production: graceful stop under load", () => {
  it("answers the request in flight, closes WebSockets with 1001 and exits 0", async () => {
    const cluster = await startCluster(1, productionOverrides({ LOG_LEVEL: "info" }));
    const server = cluster.servers[0]!;
    try {
      const { closed: wsClosed } = await openGraphQLSocket(server.url);

      // A request provably in flight: the server acknowledged its headers (100 Continue) and
      // waits for the body, which is sent only after SIGTERM.
      const socket = connect(server.port, "127.0.0.1");
      await once(socket, "connect");
      let raw = "";
      socket.on("data", (d: Buffer) => (raw += d.toString()));
      const body = JSON.stringify({ query: "{ serverTime }" });
      socket.write(
        `POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n` +
          `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\n\r\n`,
      );
      await until("100 Continue", () => raw.includes("100 Continue"));

      // Load: a few loops of queries until the server stops taking connections.
      let signalled = false;
      const statuses: number[] = [];
      const failuresBeforeSignal: unknown[] = [];
      const loops = Array.from({ length: LOAD_LOOPS }, async () => {
        for (;;) {
          try {
            const res = await fetch(`${server.url}/graphql`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body,
            });
            await res.text();
            statuses.push(res.status);
          } catch (error) {
            if (!signalled) failuresBeforeSignal.push(error);
            return;
          }
        }
      });
      await until("50 answers under load", () => statuses.length >= 50 || failuresBeforeSignal.length > 0);
      expect(failuresBeforeSignal).toEqual([]);

      const started = Date.now();
      signalled = true;
      const exited = server.stop("SIGTERM");
      await new Promise((r) => setTimeout(r, 300));
      expect(server.child.exitCode).toBeNull(); // still finishing the request in flight
      socket.write(body);
      const code = await exited;
      const ms = Date.now() - started;
      await Promise.all(loops);
      console.log(`production SIGTERM under load: exit ${code} after ${ms} ms, ${statuses.length} requests`);

      expect(code, server.output()).toBe(0);
      expect(ms).toBeLessThan(GRACE_MS);
      expect(raw).toMatch(/HTTP\/1\.1 200 OK[\s\S]*"serverTime":"\d{4}-/);
      expect(await wsClosed).toBe(1001);
      expect(failuresBeforeSignal).toEqual([]);
      // Rate limits are on, as in production: a loop may be told 429, never anything else.
      expect(new Set(statuses.filter((s) => s !== 200 && s !== 429))).toEqual(new Set());
      expect(statuses).toContain(200);
      expect(logLines(server.output()).map((l) => l.msg)).toContain("stopped");
    } finally {
      await cluster.stop();
    }
  });
});

describe("production: refusing to start", () => {
  // An unreachable database: these processes must stop at the config check, before any I/O.
  const unreachable = { DATABASE_URL: UNREACHABLE_DATABASE };

  it("stops with a message naming the variable of a bad value, without a stack trace", async () => {
    const { code, output } = await runToExit(productionOverrides({ ...unreachable, HOLD_SECONDS: "soon" }));
    expect(code).toBe(78);
    expect(output).toMatch(/HOLD_SECONDS: /);
    expect(output).not.toMatch(/\n\s+at /);
  });

  it("stops with one line naming DATABASE_URL, its host and port and how to get MySQL, when MySQL is unreachable", async () => {
    const { code, output, ms } = await runToExit(
      productionOverrides({ DATABASE_URL: "mysql://root:s3cret-pw@127.0.0.1:1/concert_test_x" }),
    );
    console.log(`MySQL unreachable: exit ${code} after ${ms} ms: ${output.trim()}`);
    expect(code).toBe(69);
    const lines = output.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^Cannot reach MySQL\/MariaDB at 127\.0\.0\.1:1 \(DATABASE_URL\): ECONNREFUSED\./,
    );
    expect(lines[0]).toContain("sudo apt-get install -y mariadb-server");
    expect(lines[0]).toContain("docker compose up -d db");
    expect(output).not.toContain("s3cret-pw");
  });

  it("stops with one line naming REDIS_URL, its host and port and how to get Redis, when Redis is unreachable", async () => {
    const env = createTestEnv(productionOverrides({ REDIS_URL: "redis://:s3cret-pw@127.0.0.1:1" }));
    try {
      const { code, output, ms } = await runToExit(env.env);
      console.log(`Redis unreachable: exit ${code} after ${ms} ms: ${output.trim()}`);
      expect(code).toBe(69);
      const lines = output.trim().split("\n");
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^Cannot reach Redis at 127\.0\.0\.1:1 \(REDIS_URL\): ECONNREFUSED\./);
      expect(lines[0]).toContain("sudo apt-get install -y redis-server");
      expect(lines[0]).toContain("docker compose up -d redis");
      expect(output).not.toContain("s3cret-pw");
    } finally {
      await env.cleanup();
    }
  });

  it("refuses the development token secret", async () => {
    const { code, output } = await runToExit({ ...unreachable, NODE_ENV: "production", TOKEN_SECRET: "" });
    expect(code).toBe(78);
    expect(output).toMatch(/TOKEN_SECRET: must be set to a secret of your own when NODE_ENV=production/);
  });
});
