// Starts real server processes (src/main.ts) on one database and Redis prefix, for e2e tests
// whose claims are about several instances.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { createTestEnv, type TestEnv } from "./test-env.js";
import { GraphQLTestClient } from "./graphql-client.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  client: GraphQLTestClient;
  output(): string;
  /** SIGTERM and wait for exit (graceful). */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface Cluster {
  env: TestEnv;
  servers: ServerProcess[];
  stop(): Promise<void>;
}

/** A TCP port free on 127.0.0.1 right now (for a server or a private redis-server). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      srv.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/**
 * How a server process is started, as `npm start` and the Dockerfile start it (a test checks
 * that the three agree). A young generation of 64 MiB per semi-space halves the time spent in
 * garbage collection with 10,000 subscribers (bench/README.md, item 11).
 */
export const SERVER_NODE_ARGS = [
  "--max-semi-space-size=64",
  // @swc-node/register 1.12 (the newest) still calls module.register(), which Node 26
  // deprecates (DEP0205) with a warning on stderr at every start; the loader works as before.
  "--disable-warning=DEP0205",
  "--import",
  "@swc-node/register/esm-register",
  "src/main.ts",
] as const;

/** Starts src/main.ts of this checkout (or of `cwd`, another checkout: bench/compare-checkouts.ts). */
export async function startServerProcess(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<ServerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`server did not become ready within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  return {
    url,
    port,
    child,
    client: new GraphQLTestClient(url),
    output: () => out,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

/** A DATABASE_URL nothing listens on: a process run with it stops at the config or start-up checks. */
export const UNREACHABLE_DATABASE = "mysql://root@127.0.0.1:1/x_test";

/**
 * Runs src/main.ts to its exit with `env` on top of this process's environment, for processes
 * that must refuse to start. Killed (and reported with code null) after `timeoutMs`.
 */

export function runToExit(
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<{ code: number | null; output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...SERVER_NODE_ARGS], {
      cwd: ROOT,
      env: { ...process.env, PORT: "0", HOST: "127.0.0.1", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.once("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

/** `count` server processes sharing one fresh database and Redis prefix, started at once. */
export async function startCluster(count: number, overrides: Record<string, string> = {}): Promise<Cluster> {
  const env = createTestEnv({ LOG_LEVEL: "warn", ...overrides });
  const servers = await Promise.all(Array.from({ length: count }, () => startServerProcess(env.env)));
  return {
    env,
    servers,
    async stop() {
      await Promise.all(servers.map((s) => s.stop()));
      await env.cleanup();
    },
  };
}

/** What a GraphQL POST answers. */
export interface GraphQLBody {
  data?: Record<string, unknown> | null;
  errors?: { message: string; extensions?: { code?: string; [key: string]: unknown } }[];
}

/**
 * POST /graphql to a server process, with a liveness bound (not a speed claim): a call that
 * hangs fails the test instead of blocking it.
 */
export async function call(
  server: Pick<ServerProcess, "url">,
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
  timeoutMs = 30_000,
): Promise<GraphQLBody> {
  const res = await fetch(`${server.url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return (await res.json()) as GraphQLBody;
}
