// Per-IP and per-user rate limits on one in-process app: RATE_LIMITED with a numeric
// retryAfterSeconds (HTTP 429 + Retry-After), X-Forwarded-For honoured only with TRUST_PROXY,
// per-user budgets keyed by a verified token, the same budget for WebSocket subscribes, and
// NODE_ENV=test alone leaving them off.
import { createHmac } from "node:crypto";
import { Redis } from "ioredis";
import WebSocket from "ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../../helpers/graphql-client.js";
import { ISSUE, concertIds, type Ticket } from "../../helpers/queue-helpers.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

interface Answer {
  status: number;
  retryAfter: string | null;
  code: string | undefined;
  retryAfterSeconds: unknown;
  data: Record<string, unknown> | null | undefined;
}

async function call(
  url: string,
  query: string,
  options: { ip?: string; token?: string; variables?: Record<string, unknown> } = {},
): Promise<Answer> {
  const res = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      ...(options.ip ? { "x-forwarded-for": `${options.ip}, 10.0.0.1` } : {}),
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    },
    body: JSON.stringify({ query, variables: options.variables ?? {} }),
  });
  const body = (await res.json()) as {
    data?: Record<string, unknown> | null;
    errors?: { extensions?: { code?: string; retryAfterSeconds?: unknown } }[];
  };
  return {
    status: res.status,
    retryAfter: res.headers.get("retry-after"),
    code: body.errors?.[0]?.extensions?.code,
    retryAfterSeconds: body.errors?.[0]?.extensions?.retryAfterSeconds,
    data: body.data,
  };
}

/** `n` requests at once; a burst of 3× the limit is refused at least `limit` times even if a window turns over. */
const burst = (n: number, send: () => Promise<Answer>) => Promise.all(Array.from({ length: n }, send));
const limitedCount = (answers: Answer[]) => answers.filter((a) => a.code === "RATE_LIMITED").length;

describe("rate limits behind a trusted proxy (TRUST_PROXY=true)", () => {
  let t: TestApp;
  let ipCounter = 0;
  const freshIp = () => `198.51.100.${++ipCounter}`;

  beforeAll(async () => {
    t = await startTestApp({
      RATE_LIMIT_ENABLED: "true",
      TRUST_PROXY: "true",
      RATE_LIMIT_IP_PER_SECOND: "10",
      RATE_LIMIT_USER_PER_SECOND: "4",
    });
  });
  afterAll(() => t?.stop());

  it("refuses an IP past its budget with 429, RATE_LIMITED and a numeric retryAfterSeconds", async () => {
    const ip = freshIp();
    const answers = await burst(30, () => call(t.url, "{ serverTime }", { ip }));
    expect(limitedCount(answers)).toBeGreaterThanOrEqual(10);
    const limited = answers.find((a) => a.code === "RATE_LIMITED")!;
    expect(limited.status).toBe(429);
    expect(typeof limited.retryAfterSeconds).toBe("number");
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfter).toBe(String(limited.retryAfterSeconds));
    expect(limited.data).toBeUndefined();
    // Every refusal is RATE_LIMITED; every other answer succeeded.
    expect(
      answers.every((a) => a.code === "RATE_LIMITED" || (a.status === 200 && a.code === undefined)),
    ).toBe(true);
  });

  it("keeps one client's flood from spending another client's budget (first X-Forwarded-For entry)", async () => {
    const flooder = freshIp();
    await burst(30, () => call(t.url, "{ serverTime }", { ip: flooder }));
    const other = await call(t.url, "{ serverTime }", { ip: freshIp() });
    expect(other.code).toBeUndefined();
  });

  it("counts the budget in Redis under REDIS_PREFIX", async () => {
    const ip = freshIp();
    await call(t.url, "{ serverTime }", { ip });
    const redis = new Redis(t.env.config.REDIS_URL);
    try {
      expect(await redis.exists(`${t.env.redisPrefix}ratelimit:ip:${ip}`)).toBe(1);
    } finally {
      redis.disconnect();
    }
  });

  describe("per user", () => {
    let ticket: Ticket;
    let otherTicket: Ticket;
    beforeAll(async () => {
      const [concertId] = await concertIds(t.app.infra.prisma);
      const users = [await signUpFrom(freshIp()), await signUpFrom(freshIp())];
      const tickets: Ticket[] = [];
      for (const u of users) {
        const r = await call(t.url, ISSUE, { ip: freshIp(), variables: { ...u, concertId } });
        tickets.push(r.data!["issueQueueToken"] as Ticket);
      }
      [ticket, otherTicket] = tickets as [Ticket, Ticket];
    });
    const signUpFrom = async (ip: string) => {
      const r = await call(t.url, 'mutation { signUp(name: "rl") { userId accessKey } }', { ip });
      return r.data!["signUp"] as { userId: string; accessKey: string };
    };

    it("refuses one user's token past RATE_LIMIT_USER_PER_SECOND even from many IPs", async () => {
      const answers = await burst(12, () =>
        call(t.url, "{ queueStatus { status } }", { ip: freshIp(), token: ticket.token }),
      );
      expect(limitedCount(answers)).toBeGreaterThanOrEqual(4);
      expect(answers.find((a) => a.code === "RATE_LIMITED")!.retryAfterSeconds).toBeGreaterThanOrEqual(1);
      // Another user from the same network is unaffected.
      const other = await call(t.url, "{ queueStatus { status } }", {
        ip: freshIp(),
        token: otherTicket.token,
      });
      expect(other.code).toBeUndefined();
    });

    it("does not let a forged token naming a user spend that user's budget", async () => {
      const signed = otherTicket.token.split(".").slice(0, 2).join(".");
      const forged = `${signed}.${createHmac("sha256", "another-secret-0123456789").update(signed).digest("base64url")}`;
      const answers = await burst(12, () =>
        call(t.url, "{ queueStatus { status } }", { ip: freshIp(), token: forged }),
      );
      expect(answers.every((a) => a.code === "UNAUTHENTICATED")).toBe(true);
      const real = await call(t.url, "{ queueStatus { status } }", {
        ip: freshIp(),
        token: otherTicket.token,
      });
      expect(real.code).toBeUndefined();
    });

    it("spends the same budget for WebSocket subscribes and refuses them with RATE_LIMITED", async () => {
      const ws = t.client.ws(`Bearer ${ticket.token}`);
      try {
        const subs = Array.from({ length: 12 }, () =>
          subscribe(ws, "subscription { queueUpdates { status } }"),
        );
        const refused = await Promise.race([
          Promise.any(
            subs.map(async (s) => {
              const { error } = await s.done;
              if (!JSON.stringify(error).includes("RATE_LIMITED")) throw new Error(JSON.stringify(error));
              return error;
            }),
          ),
          new Promise((_, reject) => setTimeout(() => reject(new Error("no subscribe was refused")), 10_000)),
        ]);
        expect(JSON.stringify(refused)).toMatch(/"retryAfterSeconds":\d+/);
        for (const s of subs) s.unsubscribe();
      } finally {
        await ws.dispose();
      }
    });
  });
});

/** Opens a WebSocket handshake to /graphql: "open", or the HTTP status and Retry-After of a refusal. */
function handshake(url: string): Promise<{ status: number; retryAfter: string | null }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/graphql`, "graphql-transport-ws");
    socket.on("open", () => {
      socket.close();
      resolve({ status: 101, retryAfter: null });
    });
    socket.on("unexpected-response", (_req, res) => {
      const retryAfter = res.headers["retry-after"];
      resolve({
        status: res.statusCode ?? 0,
        retryAfter: typeof retryAfter === "string" ? retryAfter : null,
      });
      res.resume();
      socket.terminate();
    });
    socket.on("error", reject);
  });
}

describe("rate limits without a trusted proxy (TRUST_PROXY=false)", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ENABLED: "true", RATE_LIMIT_IP_PER_SECOND: "10" });
  });
  afterAll(() => t?.stop());

  it("ignores X-Forwarded-For, so a client cannot escape its budget by inventing addresses", async () => {
    let n = 0;
    const answers = await burst(30, () => call(t.url, "{ serverTime }", { ip: `192.0.2.${++n}` }));
    expect(limitedCount(answers)).toBeGreaterThanOrEqual(10);
  });

  it("refuses connections past the IP budget with HTTP 429 and Retry-After before any socket opens", async () => {
    const answers = await Promise.all(Array.from({ length: 30 }, () => handshake(t.url)));
    const refused = answers.filter((a) => a.status === 429);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(answers.every((a) => a.status === 101 || a.status === 429)).toBe(true);
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThanOrEqual(1);
  });
});

describe("NODE_ENV=test without RATE_LIMIT_ENABLED", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_IP_PER_SECOND: "1", RATE_LIMIT_USER_PER_SECOND: "1" });
  });
  afterAll(() => t?.stop());

  it("applies no limit", async () => {
    expect(t.app.config.RATE_LIMIT_ENABLED).toBe(false);
    const answers = await burst(30, () => call(t.url, "{ serverTime }"));
    expect(limitedCount(answers)).toBe(0);
  });
});
