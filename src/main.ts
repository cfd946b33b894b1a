// Process entry: config → app → listen; graceful shutdown on SIGTERM/SIGINT.
import "reflect-metadata";
import { ConfigError, loadConfig, type Config } from "./config.js";
import { createLogger } from "./platform/logger.js";

let config: Config;
try {
  config = loadConfig();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(78); // EX_CONFIG
  }
  throw error;
}

// Loaded only once the config is valid: a bad variable is reported at once, without first
// loading (and compiling) every module of the app.
const { createApp } = await import("./app.js");
const { UnreachableError } = await import("./platform/startup-checks.js");
// Pretty lines for people (`npm run dev`), JSON everywhere else; pino-pretty is a dev tool, so it
// is loaded only when asked for.
const pretty =
  config.LOG_FORMAT === "pretty"
    ? (await import("pino-pretty")).default({
        colorize: process.stdout.isTTY,
        translateTime: "SYS:HH:MM:ss.l",
      })
    : undefined;
const log = createLogger(config.LOG_LEVEL, pretty);
const app = createApp(config, { log });

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  const force = setTimeout(() => {
    log.error("shutdown took too long; exiting");
    process.exit(1);
  }, config.SHUTDOWN_GRACE_MS + 5000);
  force.unref();
  try {
    await app.stop();
    log.info("stopped");
    process.exit(0);
  } catch (error) {
    log.error({ err: error }, "error during shutdown");
    process.exit(1);
  }
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));

try {
  await app.start();
} catch (error) {
  if (error instanceof UnreachableError) {
    // MySQL or Redis is not there: one line that says which and what to do, no stack trace.
    console.error(error.message);
    await app.stop().catch(() => undefined);
    process.exit(69); // EX_UNAVAILABLE
  }
  log.fatal({ err: error }, "failed to start");
  await app.stop().catch((stopError: unknown) => log.error({ err: stopError }, "error while cleaning up"));
  process.exit(1);
}
