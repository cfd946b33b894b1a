import { pino, type DestinationStream, type Logger } from "pino";

export type { Logger };

/**
 * Structured JSON logs (to `destination` instead when given: pino-pretty for `npm run dev`). Credentials never reach a log line: headers and fields that could
 * carry an access key or a queue token are redacted here, once, for every logger.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    redact: {
      paths: [
        "req.headers.authorization",
        "headers.authorization",
        "authorization",
        "accessKey",
        "token",
        "*.accessKey",
        "*.token",
        "variables.accessKey",
        "variables.token",
      ],
      censor: "[redacted]",
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
