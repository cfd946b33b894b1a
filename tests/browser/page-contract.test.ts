// The page's GraphQL documents against the committed schema, and its not-built fallback: both
// break silently in a browser, so they are checked here without one.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import express from "express";
import { buildSchema, parse, validate } from "graphql";
import { afterAll, describe, expect, it } from "vitest";
import { mountWaitingRoom } from "../../src/platform/http/waiting-room.js";
import { Q } from "../../web/src/api.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

describe("waiting room page contract", () => {
  const schema = buildSchema(readFileSync(join(ROOT, "schema.graphql"), "utf8"));

  it.each(Object.entries(Q))("document %s is valid against schema.graphql", (_name, document) => {
    expect(validate(schema, parse(document)).map((e) => e.message)).toEqual([]);
  });
});

describe("serving the page", () => {
  const empty = mkdtempSync(join(tmpdir(), "waiting-room-"));
  const app = express();
  mountWaitingRoom(app, empty);
  const server = app.listen(0, "127.0.0.1");
  const url = () => {
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("not listening");
    return `http://127.0.0.1:${address.port}`;
  };

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(empty, { recursive: true, force: true });
  });

  it("answers / with a page that says to run build:web when the build is missing", async () => {
    await new Promise((resolve) =>
      server.listening ? resolve(undefined) : server.once("listening", resolve),
    );
    const res = await fetch(`${url()}/`);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("npm run build:web");
  });
});
