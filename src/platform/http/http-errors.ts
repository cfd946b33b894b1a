import type { NextFunction, Request, Response } from "express";
import type { Logger } from "../logger.js";

/** What body-parser says about a request it refused, in words a client can act on. */
const MESSAGES: Record<string, string> = {
  "entity.too.large": "The request body is too large (limit 64 kB); send a smaller operation.",
  "entity.parse.failed": 'The request body is not valid JSON; send {"query": ..., "variables": ...}.',
  "encoding.unsupported": "The request body's content encoding is not supported; send it uncompressed.",
  "charset.unsupported": "The request body's charset is not supported; send UTF-8.",
};

/**
 * The last express handler: errors raised before Apollo (body too large, not JSON, ...) get a
 * GraphQL-shaped JSON body with their HTTP status (413, 400, ...) instead of express's HTML
 * page, which shows a stack trace outside production. Anything else is a bug: logged in full
 * with the request id, answered with a generic 500.
 */
export function httpErrorHandler(log: Logger) {
  return (error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (res.headersSent) return next(error);
    const e = (typeof error === "object" && error !== null ? error : {}) as {
      status?: unknown;
      type?: unknown;
    };
    const status = typeof e.status === "number" ? e.status : 500;
    const requestId = String(res.locals["requestId"] ?? "unknown");
    if (status >= 400 && status < 500) {
      const message = MESSAGES[String(e.type)] ?? "The request is malformed.";
      res.status(status).json({ errors: [{ message, extensions: { code: "BAD_REQUEST" } }] });
      return;
    }
    log.error({ err: error, requestId }, "unexpected HTTP error");
    res.status(500).json({
      errors: [
        {
          message: `Internal server error. Quote request id ${requestId} when reporting it.`,
          extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
        },
      ],
    });
  };
}
