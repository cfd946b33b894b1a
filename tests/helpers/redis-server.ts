// A private redis-server of a test's own (no persistence, daemonized), for tests that stop and
// restart Redis under a running service. Ports come from freePort (server-processes.ts).
import { execFileSync } from "node:child_process";

export const startRedis = (port: number) =>
  execFileSync("redis-server", [
    "--port",
    String(port),
    "--save",
    "",
    "--appendonly",
    "no",
    "--daemonize",
    "yes",
  ]);

export const stopRedis = (port: number) =>
  execFileSync("redis-cli", ["-p", String(port), "shutdown", "nosave"]);
