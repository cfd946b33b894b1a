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

/** For afterAll: stops the test's Redis unless the test already did (then there is nothing to do). */
export function stopRedisIfRunning(port: number): void {
  try {
    stopRedis(port);
  } catch (error) {
    if (!String(error).includes("Could not connect")) throw error;
  }
}
