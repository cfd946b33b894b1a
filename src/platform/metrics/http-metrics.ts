// HTTP timing of the GraphQL endpoints: from the endpoint's first middleware (Node has parsed
// the request's headers) to the response handed to the socket ("finish"). Beside
// graphql_operation_duration_seconds (Apollo's request start to its response) it separates time
// in the HTTP layer (the body's arrival and parsing, the rate limits, writing the answer) from
// time in GraphQL; a request the client saw slow in neither waited in the kernel or the client.
import type { RequestHandler } from "express";
import { Histogram, type Registry } from "prom-client";

/** One histogram on `registry`; the returned function makes the timer of one endpoint path. */
export function httpRequestTimer(registry: Registry): (path: string) => RequestHandler {
  const histogram = new Histogram({
    name: "http_graphql_request_duration_seconds",
    help: "HTTP requests of a GraphQL endpoint, from its first middleware to the response handed to the socket.",
    labelNames: ["path"],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return (path) => {
    const child = histogram.labels(path);
    return (_req, res, next) => {
      res.once("finish", child.startTimer());
      next();
    };
  };
}
