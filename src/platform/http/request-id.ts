import { randomUUID } from "node:crypto";
import type { NextFunction, Request, Response } from "express";

const VALID = /^[A-Za-z0-9._-]{1,64}$/;

/** Takes a sane incoming X-Request-Id or makes one, and echoes it on the response. */
export function requestId(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.header("x-request-id");
  const id = incoming && VALID.test(incoming) ? incoming : randomUUID();
  res.locals["requestId"] = id;
  res.setHeader("x-request-id", id);
  next();
}
