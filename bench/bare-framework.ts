// The framework's own ceiling for a 50-seat answer: a bare server of the same stack (Apollo
// Server 5 on express 5 with expressMiddleware and express.json, graphql-js 16, NODE_ENV
// production, the node flags of our servers, Apollo's cache-control and inline-trace plugins
// off as in ours, no ETag) with nothing of ours in it. It answers `{ serverTime }` and
// the shapes of availableSeats (50 × number, price) and seatMap (50 × number, price, status)
// from constants: no token, no queue check, no seat map. The rate of those answers over its
// own trivial rate is what graphql-js executing and serialising 50 objects costs by itself,
// so it bounds what the seat-read rows can reach on this stack (bench/README.md).
// The same for the seat race: two bare servers answer N simultaneous `reserveSeat` (the
// race's document), the first for each seat number on each server with { id price }, every
// later one with a GraphQLError SEAT_UNAVAILABLE carrying our message; p99 over the p99 of N
// simultaneous `{ serverTime }` on them is what a refusal costs the framework by itself.
//   node --import @swc-node/register/esm-register bench/bare-framework.ts [seconds=5] [connections=50] [racers=2000]
// In the bench (run.ts) it runs in the same run as the rows it bounds; nothing is asserted.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ApolloServer } from "@apollo/server";
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginInlineTraceDisabled,
} from "@apollo/server/plugin/disabled";
import { expressMiddleware } from "@as-integrations/express5";
import express from "express";
import { buildSchema, GraphQLError, type GraphQLFieldConfig, type GraphQLObjectType } from "graphql";
import { freePort, SERVER_NODE_ARGS } from "../tests/helpers/server-processes.js";
import { burst, cannon, trivialBurst, trivialQuery, type BurstResult, type LoadResult } from "./baselines.js";
import { sleep, warmSockets } from "./lib.js";
import { RESERVE, warmedSeatReads } from "./seats.js";

const SDL = `
  enum SeatStatus { FREE HELD SOLD }
  type Seat { number: Int! price: Int! }
  type SeatMapSeat { number: Int! price: Int! status: SeatStatus! }
  type Reservation { id: ID! price: Int! }
  type Query {
    serverTime: String!
    availableSeats(concertDateId: ID!): [Seat!]!
    seatMap(concertDateId: ID!): [SeatMapSeat!]!
  }
  type Mutation { reserveSeat(concertDateId: ID!, seatNumber: Int!): Reservation! }
`;
const CONSTANT_SEATS = Array.from({ length: 50 }, (_, i) => ({
  number: i + 1,
  price: 110_000,
  status: i % 5 === 0 ? "SOLD" : "FREE",
}));

async function serve(port: number): Promise<void> {
  const schema = buildSchema(SDL);
  const fields = (schema.getType("Query") as GraphQLObjectType).getFields() as unknown as Record<
    string,
    GraphQLFieldConfig<unknown, unknown>
  >;
  fields["serverTime"]!.resolve = () => new Date().toISOString();
  fields["availableSeats"]!.resolve = () => CONSTANT_SEATS.filter((s) => s.status === "FREE");
  fields["seatMap"]!.resolve = () => CONSTANT_SEATS;
  const taken = new Set<string>();
  const mutations = (schema.getType("Mutation") as GraphQLObjectType).getFields() as unknown as Record<
    string,
    GraphQLFieldConfig<unknown, unknown>
  >;
  mutations["reserveSeat"]!.resolve = (_root, args: { concertDateId: string; seatNumber: number }) => {
    const key = `${args.concertDateId}:${args.seatNumber}`;
    if (taken.has(key)) {
      throw new GraphQLError(
        "This seat is held by someone else or sold. Pick another seat from availableSeats.",
        {
          extensions: { code: "SEAT_UNAVAILABLE" },
        },
      );
    }
    taken.add(key);
    return { id: key, price: 110_000 };
  };
  const apollo = new ApolloServer({
    schema,
    plugins: [ApolloServerPluginCacheControlDisabled(), ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const app = express();
  app.set("etag", false);
  app.use("/graphql", express.json({ limit: "64kb" }), expressMiddleware(apollo));
  app.get("/readyz", (_req, res) => void res.json({ status: "ok" }));
  app.listen(port, "127.0.0.1");
}

export interface BareReadsResult {
  trivialBefore: LoadResult;
  availableSeats: LoadResult;
  /** Between the two reads: each read's ratio uses the mean of the baselines on its two sides. */
  trivialBetween: LoadResult;
  seatMap: LoadResult;
  trivialAfter: LoadResult;
}

export interface BareRaceResult {
  trivialBefore: BurstResult;
  /** errors: SEAT_UNAVAILABLE for all but the first request per seat number and server. */
  race: BurstResult;
  trivialAfter: BurstResult;
}

interface BareServer {
  url: string;
  stop: () => Promise<void>;
}

/** One bare server in its own process, started as our servers are (SERVER_NODE_ARGS' flags). */
async function startBare(): Promise<BareServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...SERVER_NODE_ARGS.slice(0, -1), fileURLToPath(import.meta.url)], {
    env: { ...process.env, NODE_ENV: "production", BARE_FRAMEWORK_PORT: String(port) },
    stdio: "inherit",
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const stop = async () => {
    child.kill("SIGTERM");
    await exited;
  };
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (
      await fetch(`${url}/readyz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { url, stop };
    if (i > 200) {
      await stop();
      throw new Error("bare framework server not ready in 20 s");
    }
    await sleep(100);
  }
}

/** The seat reads' shapes on one bare server, bracketed by its trivial rate, like run.ts does. */
export async function bareReads(seconds: number, connections: number): Promise<BareReadsResult> {
  const server = await startBare();
  try {
    const trivial = () => trivialQuery(server.url, seconds, connections);
    await trivial(); // warm-up
    const trivialBefore = await trivial();
    // Measured as the bench's seat reads are (seats.ts).
    const { availableSeats, between, seatMap } = await warmedSeatReads((query, duration = seconds) => {
      const body = JSON.stringify({ query, variables: { d: "1" } });
      return cannon({ url: server.url, connections, duration, body: () => body });
    }, trivial);
    const trivialAfter = await trivial();
    return { trivialBefore, availableSeats, trivialBetween: between, seatMap, trivialAfter };
  } finally {
    await server.stop();
  }
}

/** `n` simultaneous reserveSeat for 50 seat numbers over two bare servers, bracketed by trivial bursts. */
export async function bareRace(n: number): Promise<BareRaceResult> {
  const servers = [await startBare(), await startBare()];
  const urls = servers.map((s) => s.url);
  try {
    await warmSockets(urls, Math.ceil(n / urls.length));
    const race = (dateId: string) => burst(urls, n, (i) => [RESERVE, { d: dateId, n: (i % 50) + 1 }]);
    await race("warm-up");
    const trivialBefore = await trivialBurst(urls, n);
    const refusals = await race("race");
    const trivialAfter = await trivialBurst(urls, n);
    return { trivialBefore, race: refusals, trivialAfter };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const port = process.env["BARE_FRAMEWORK_PORT"];
if (port) {
  await serve(Number(port));
} else if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  const reads = await bareReads(Number(process.argv[2] ?? 5), Number(process.argv[3] ?? 50));
  const t = (reads.trivialBefore.rps + reads.trivialAfter.rps) / 2;
  for (const [what, l] of Object.entries(reads)) {
    console.log(JSON.stringify({ what, rps: l.rps, p99: l.latencyMs.p99, errors: l.errors }));
  }
  console.log(
    JSON.stringify({
      availableSeatsRatio: r2(reads.availableSeats.rps / t),
      seatMapRatio: r2(reads.seatMap.rps / t),
    }),
  );
  const race = await bareRace(Number(process.argv[4] ?? 2000));
  for (const [what, b] of Object.entries(race)) {
    console.log(JSON.stringify({ what, wallMs: b.wallMs, p99: b.latencyMs.p99, errors: b.errors }));
  }
  const burst = (race.trivialBefore.latencyMs.p99 + race.trivialAfter.latencyMs.p99) / 2;
  console.log(JSON.stringify({ raceRatio: r2(race.race.latencyMs.p99 / burst) }));
}
