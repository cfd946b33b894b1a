// Instances dying under traffic, on two real processes sharing MySQL and Redis: one killed with
// SIGKILL, one stopped with SIGTERM. The other instance keeps serving, graphql-ws subscribers
// reconnect there and keep their place, nothing is half-done (every balance equals its ledger,
// every CONFIRMED hold has exactly one payment and debit), and retrying whatever got no answer
// with the same idempotency key loses nothing and doubles nothing.
import * as mariadb from "mariadb";
import { createClient, type Client } from "graphql-ws";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { poolConfigFromUrl } from "../../src/platform/db/connection-options.js";
import { subscribe } from "../helpers/graphql-client.js";
import { ISSUE, UPDATES, type TestUser, type Ticket } from "../helpers/queue-helpers.js";
import {
  call,
  startCluster,
  type Cluster,
  type GraphQLBody,
  type ServerProcess,
} from "../helpers/server-processes.js";

const CHARGE = `mutation($k: String) { chargeBalance(amount: 1000, idempotencyKey: $k) { balance } }`;
const PAY = `mutation($r: ID!, $k: String) { payReservation(reservationId: $r, idempotencyKey: $k) { id reservation { status } } }`;

/** A graphql-ws client that goes to the first server and, on any reconnect, to the next live one. */
function failoverClient(servers: ServerProcess[], token: string, connectedTo: string[]): Client {
  return createClient({
    url: () => {
      const server =
        servers.find((s) => s.child.exitCode === null && s.child.signalCode === null) ?? servers[0]!;
      connectedTo.push(server.url);
      return server.url.replace(/^http/, "ws") + "/graphql";
    },
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    retryAttempts: 20,
    retryWait: () => new Promise((r) => setTimeout(r, 300)),
    shouldRetry: () => true,
    lazy: true,
  });
}

async function checkNothingHalfDone(databaseUrl: string): Promise<void> {
  const conn = await mariadb.createConnection(poolConfigFromUrl(databaseUrl));
  try {
    const drift: unknown[] = await conn.query(
      `SELECT w.user_id FROM wallets w LEFT JOIN ledger_entries l ON l.user_id = w.user_id
        GROUP BY w.user_id, w.balance HAVING w.balance <> COALESCE(SUM(l.amount), 0)`,
    );
    expect(drift).toEqual([]);
    const unpaid: unknown[] = await conn.query(
      `SELECT r.id FROM reservations r LEFT JOIN payments p ON p.reservation_id = r.id
        WHERE (r.status = 'CONFIRMED') <> (p.id IS NOT NULL)`,
    );
    expect(unpaid).toEqual([]);
    const debits: { n: bigint; p: bigint }[] = await conn.query(
      `SELECT (SELECT COUNT(*) FROM ledger_entries WHERE kind = 'PAYMENT') AS n, (SELECT COUNT(*) FROM payments) AS p`,
    );
    expect(Number(debits[0]!.n)).toBe(Number(debits[0]!.p));
  } finally {
    await conn.end();
  }
}

interface Scene {
  cluster: Cluster;
  a: ServerProcess;
  b: ServerProcess;
  payer: Ticket;
  reservationId: string;
  watcher: Ticket;
  chargers: Ticket[];
}

/** Two instances; one concert slot (the payer's, with a held seat), a WAITING watcher and chargers. */
async function scene(): Promise<Scene> {
  const cluster = await startCluster(2, {
    QUEUE_MAX_ACTIVE: "1",
    QUEUE_IDLE_SECONDS: "600",
    SHUTDOWN_GRACE_MS: "10000",
  });
  const [a, b] = cluster.servers as [ServerProcess, ServerProcess];
  const concerts = (await call(a, "{ concerts { id } }")).data!["concerts"] as { id: string }[];
  const concertId = concerts[0]!.id;
  const enter = async (server: ServerProcess) => {
    const user = (await call(server, 'mutation { signUp(name: "f") { userId accessKey } }')).data![
      "signUp"
    ] as TestUser;
    return (await call(server, ISSUE, { ...user, concertId })).data!["issueQueueToken"] as Ticket;
  };
  const payer = await enter(a);
  expect(payer.status).toBe("ACTIVE");
  const watcher = await enter(b);
  const chargers = await Promise.all(Array.from({ length: 12 }, (_, i) => enter(i % 2 ? a : b)));
  const dates = (
    await call(a, "query($c: ID!) { availableDates(concertId: $c) { id } }", { c: concertId }, payer.token)
  ).data!["availableDates"] as { id: string }[];
  const held = await call(
    a,
    "mutation($d: ID!) { reserveSeat(concertDateId: $d, seatNumber: 7) { id price } }",
    { d: dates[0]!.id },
    payer.token,
  );
  const reservationId = (held.data!["reserveSeat"] as { id: string }).id;
  expect(
    (
      await call(
        a,
        `mutation { chargeBalance(amount: 1000000, idempotencyKey: "fund") { balance } }`,
        {},
        payer.token,
      )
    ).errors,
  ).toBeUndefined();
  return { cluster, a, b, payer, reservationId, watcher, chargers };
}

/**
 * Charges in rounds through both instances until `stop` resolves, then a few more; returns
 * every (token, key) sent and which ones were answered with success.
 */
async function chargeTraffic(s: Scene, hit: () => Promise<void>) {
  const sent: { token: string; key: string; ok: boolean }[] = [];
  let round = 0;
  const rounds = async (n: number) => {
    for (let i = 0; i < n; i++, round++) {
      await Promise.all(
        s.chargers.map(async (t, j) => {
          const key = `r${round}-u${j}`;
          const entry = { token: t.token, key, ok: false };
          sent.push(entry);
          try {
            const body = await call(j % 2 ? s.a : s.b, CHARGE, { k: key }, t.token);
            entry.ok = !body.errors;
          } catch (error) {
            // No answer (connection reset or refused): retried on the survivor below.
            if (!(error instanceof TypeError)) throw error;
          }
        }),
      );
    }
  };
  await rounds(3);
  await Promise.all([hit(), rounds(4)]);
  return sent;
}

describe("instances dying under traffic", () => {
  let s: Scene | undefined;
  afterEach(async () => {
    await s?.cluster.stop();
    s = undefined;
  });

  for (const signal of ["SIGKILL", "SIGTERM"] as const) {
    it(`${signal}: the other instance serves, subscribers move there and keep their place, nothing is lost or half-done`, async () => {
      s = await scene();
      const { a, b, payer, reservationId, watcher } = s;
      const connectedTo: string[] = [];
      const ws = failoverClient([a, b], watcher.token, connectedTo);
      const updates = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
      const first = await updates.next((e) => e.data != null);
      expect(first.data!.queueUpdates).toMatchObject({
        token: watcher.token,
        status: "WAITING",
        position: 1,
      });
      expect(connectedTo).toEqual([a.url]);

      let payAnswer: GraphQLBody | undefined;
      const sent = await chargeTraffic(s, async () => {
        // The payment goes to the instance that is about to die, at the same moment.
        const pay = call(a, PAY, { r: reservationId, k: "pay-1" }, payer.token).then(
          (body) => (payAnswer = body),
          (error: unknown) => {
            if (!(error instanceof TypeError)) throw error;
          },
        );
        await new Promise((r) => setTimeout(r, 20));
        const exit = a.stop(signal);
        await Promise.all([pay, exit]);
        if (signal === "SIGTERM") expect(await exit).toBe(0);
      });

      // The subscriber reconnected to B and still holds its place (or was admitted in order).
      const moved = await updates.next((e) => e.data != null, 30_000);
      expect(connectedTo.slice(1)).toContain(b.url);
      expect(moved.data!.queueUpdates.token).toBe(watcher.token);
      expect(["WAITING", "ACTIVE"]).toContain(moved.data!.queueUpdates.status);
      if (moved.data!.queueUpdates.status === "WAITING") expect(moved.data!.queueUpdates.position).toBe(1);
      updates.unsubscribe();
      await ws.dispose();

      await checkNothingHalfDone(s.cluster.env.databaseUrl);

      const unanswered = sent.filter((e) => !e.ok).length;
      console.info(
        `${signal}: ${sent.length} charges, ${unanswered} unanswered; payment answered: ${payAnswer !== undefined}`,
      );
      // Whatever got no answer is retried on B with its key: exactly one charge per key.
      for (const entry of sent.filter((e) => !e.ok)) {
        const body = await call(b, CHARGE, { k: entry.key }, entry.token);
        expect(body.errors, JSON.stringify(body)).toBeUndefined();
      }
      const perUser = new Map<string, number>();
      for (const e of sent) perUser.set(e.token, (perUser.get(e.token) ?? 0) + 1);
      for (const [token, keys] of perUser) {
        const wallet = (await call(b, "{ balance { balance } }", {}, token)).data!["balance"] as {
          balance: number;
        };
        expect(wallet.balance).toBe(keys * 1000);
      }
      // The payment: answered or not, replaying its key on B gives one CONFIRMED payment.
      const replay = await call(b, PAY, { r: reservationId, k: "pay-1" }, payer.token);
      if (payAnswer && !payAnswer.errors) expect(replay.data).toEqual(payAnswer.data);
      const payments = (await call(b, "{ myPayments { id amount } }", {}, payer.token)).data![
        "myPayments"
      ] as unknown[];
      expect(payments).toHaveLength(1);
      await checkNothingHalfDone(s.cluster.env.databaseUrl);
      // B served throughout and still does.
      expect(b.child.exitCode).toBeNull();
    });
  }
});
