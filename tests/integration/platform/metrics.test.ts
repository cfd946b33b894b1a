// /metrics after real traffic on one app: queue sizes read from Redis, admissions, departures,
// push latency, reservation outcomes, payment totals, operation and HTTP durations, process metrics.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { subscribe } from "../../helpers/graphql-client.js";
import { concertIds, issue, leave, signUp, UPDATES, type Ticket } from "../../helpers/queue-helpers.js";
import { parsePrometheus as parse } from "../../helpers/prometheus.js";
import { startTestApp, type TestApp } from "../../helpers/test-app.js";

const RESERVE = `mutation ($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { id price } }`;
const DATES = `query ($c: ID!) { availableDates(concertId: $c) { id } }`;
const CHARGE = `mutation ($a: Int!) { chargeBalance(amount: $a) { balance } }`;
const PAY = `mutation ($id: ID!) { payReservation(reservationId: $id) { id amount } }`;

describe("/metrics", () => {
  let t: TestApp;
  let concertId: string;

  const scrape = async () => {
    const res = await fetch(`${t.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return parse(await res.text());
  };

  beforeAll(async () => {
    t = await startTestApp({
      QUEUE_MAX_ACTIVE: "1",
      QUEUE_ADMIT_PER_TICK: "1",
      QUEUE_TICK_MS: "100",
      QUEUE_ACTIVE_SECONDS: "600",
    });
    concertId = (await concertIds(t.app.infra.prisma))[0]!;
  });
  afterAll(async () => {
    await t?.stop();
  });

  it("exposes queue sizes, admissions, departures, push latency, seat outcomes, payments and durations after traffic", async () => {
    const [a, b] = [await signUp(t.client), await signUp(t.client)];
    const first = await issue(t.client, a, concertId);
    const second = await issue(t.client, b, concertId);
    expect([first.status, second.status]).toEqual(["ACTIVE", "WAITING"]);

    const before = await scrape();
    expect(before.get(`queue_waiting{concert_id="${concertId}"}`)).toBe(1);
    expect(before.get(`queue_active{concert_id="${concertId}"}`)).toBe(1);
    expect(before.get("payments_total")).toBe(0);
    expect(before.get(`queue_admissions_total{concert_id="${concertId}"}`)).toBeUndefined();

    const ws = t.client.ws(`Bearer ${second.token}`);
    const sub = subscribe<{ queueUpdates: Ticket }>(ws, UPDATES);
    await sub.next((e) => e.data?.queueUpdates.status === "WAITING");

    const dateId = (
      await t.client.data<{ availableDates: { id: string }[] }>(DATES, { c: concertId }, first.token)
    ).availableDates[0]!.id;
    const hold = (
      await t.client.data<{ reserveSeat: { id: string; price: number } }>(
        RESERVE,
        { d: dateId, n: 1 },
        first.token,
      )
    ).reserveSeat;
    expect(await t.client.errorCode(RESERVE, { d: dateId, n: 2 }, first.token)).toBe("ALREADY_RESERVED");
    await t.client.data(CHARGE, { a: hold.price }, first.token);
    await t.client.data(PAY, { id: hold.id }, first.token);

    // The payment frees the slot; a tick admits the waiting user and pushes ACTIVE to them.
    await sub.next((e) => e.data?.queueUpdates.status === "ACTIVE");
    await leave(t.client, second.token);
    await ws.dispose();

    const after = await scrape();
    expect(after.get(`queue_waiting{concert_id="${concertId}"}`)).toBe(0);
    expect(after.get(`queue_active{concert_id="${concertId}"}`)).toBe(0);
    expect(after.get(`queue_admissions_total{concert_id="${concertId}"}`)).toBe(1);
    expect(after.get(`queue_abandonments_total{concert_id="${concertId}",reason="left"}`)).toBe(1);
    expect(after.get("queue_push_latency_seconds_count")).toBeGreaterThanOrEqual(1);
    expect(after.get('reservation_outcomes_total{code="HELD"}')).toBe(1);
    expect(after.get('reservation_outcomes_total{code="ALREADY_RESERVED"}')).toBe(1);
    expect(after.get("payments_total")).toBe(1);
    // availableDates loaded the concert's seat map, then answered from it.
    expect(after.get('seat_reads_total{source="memory"}')).toBeGreaterThanOrEqual(1);
    expect(after.get("payments_amount_krw_total")).toBe(hold.price);
    expect(
      after.get(
        'graphql_operation_duration_seconds_count{operation="reserveSeat",type="mutation",outcome="ok"}',
      ),
    ).toBe(1);
    expect(
      after.get(
        'graphql_operation_duration_seconds_count{operation="reserveSeat",type="mutation",outcome="error"}',
      ),
    ).toBe(1);
    expect(
      after.get(
        'graphql_operation_duration_seconds_count{operation="issueQueueToken",type="mutation",outcome="ok"}',
      ),
    ).toBe(2);
    expect(after.get("process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(after.get("nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("labels an unnamed operation by its root fields, the same text every time, a sane name by itself", async () => {
    const label = (operation: string) =>
      `graphql_operation_duration_seconds_count{operation="${operation}",type="query",outcome="ok"}`;
    const before = await scrape();
    for (let i = 0; i < 3; i++) await t.client.data("{ serverTime concerts { id } }");
    await t.client.data("{ concerts { id } serverTime serverTime }");
    await t.client.data("query Landing { serverTime }");
    const after = await scrape();
    const grew = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(grew(label("concerts,serverTime"))).toBe(4);
    expect(grew(label("Landing"))).toBe(1);
  });

  it("times every HTTP request of an endpoint from its first middleware, also one GraphQL never saw", async () => {
    const http = (path: string) => `http_graphql_request_duration_seconds_count{path="${path}"}`;
    const before = await scrape();
    await t.client.data("{ serverTime }");
    // Malformed JSON: express.json refuses it before Apollo starts, and it is still timed.
    const bad = await fetch(`${t.url}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ not json",
    });
    expect(bad.status).toBe(400);
    const after = await scrape();
    const grew = (key: string) => (after.get(key) ?? 0) - (before.get(key) ?? 0);
    expect(grew(http("/graphql"))).toBe(2);
    expect(grew(http("/admin/graphql"))).toBe(0);
    expect(
      grew('graphql_operation_duration_seconds_count{operation="serverTime",type="query",outcome="ok"}'),
    ).toBe(1);
    // Buckets are cumulative: the slowest bucket holds every request timed.
    expect(after.get('http_graphql_request_duration_seconds_bucket{le="+Inf",path="/graphql"}')).toBe(
      after.get(http("/graphql")),
    );
  });
});
