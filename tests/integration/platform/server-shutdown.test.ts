// Graceful stop of the in-process app: a request that is in flight when stop() begins is
// answered, new connections are refused, and stop() resolves once the work is done.
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

/** Everything a socket received, and a way to wait for a pattern in it. */
function recorder(socket: Socket) {
  let text = "";
  const waiters: { pattern: RegExp; resolve: (text: string) => void }[] = [];
  socket.on("data", (chunk: Buffer) => {
    text += chunk.toString();
    for (const w of [...waiters]) {
      if (w.pattern.test(text)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(text);
      }
    }
  });
  return {
    waitFor: (pattern: RegExp) =>
      pattern.test(text)
        ? Promise.resolve(text)
        : new Promise<string>((resolve) => waiters.push({ pattern, resolve })),
  };
}

describe("app.stop()", () => {
  let t: TestApp;
  let stopped = false;
  let stopping: Promise<unknown> | undefined;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await (stopping ?? t.app.stop());
    await t.env.cleanup();
  });

  it("finishes a request in flight, refuses new connections, then resolves", async () => {
    const port = Number(new URL(t.url).port);
    const socket = connect(port, "127.0.0.1");
    sockets.push(socket);
    await once(socket, "connect");
    const body = JSON.stringify({ query: "{ serverTime }" });
    // Expect: 100-continue makes the server acknowledge the headers before the body is sent,
    // so the request is provably in flight (not an idle connection) when stop() begins.
    socket.write(
      `POST /graphql HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`,
    );
    const received = recorder(socket);
    await received.waitFor(/100 Continue\r\n\r\n/);

    stopping = t.app.stop().then(() => (stopped = true));
    // The listener closes while the request is still in flight: new connections are refused.
    let refused = false;
    for (let attempt = 0; attempt < 200 && !refused; attempt++) {
      refused = await new Promise<boolean>((resolve) => {
        const probe = connect(port, "127.0.0.1");
        probe.once("connect", () => {
          probe.destroy();
          setTimeout(() => resolve(false), 10);
        });
        probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
      });
    }
    expect(refused).toBe(true);
    expect(stopped).toBe(false);

    socket.write(body);
    const response = await received.waitFor(/"serverTime"[^}]*\}\}/);
    expect(response).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 OK/);
    expect(response).toMatch(/"serverTime":"\d{4}-\d{2}-\d{2}T/);
    await stopping;
    expect(stopped).toBe(true);
  });
});
