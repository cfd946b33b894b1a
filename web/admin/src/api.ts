// The console's view of the Operator API (docs/api.md, "Operator API"): documents, types and the
// two transports, both on /admin/graphql with the operator key as the bearer credential.
import { createClient, type Client } from "graphql-ws";
import { toApiError } from "../../src/api.js";
import { ApiError, type Extensions } from "../../src/errors.js";

export interface Concert {
  id: string;
  title: string;
  artist: string;
  venue: string;
  saleOpensAt: string | null;
}
export interface SaleStats {
  concertId: string;
  at: string;
  saleOpensAt: string | null;
  prequeued: number;
  waiting: number;
  active: number;
  admittedLastMinute: number;
  abandonedLastMinute: number;
  paidLastMinute: number;
  seatsFree: number;
  seatsHeld: number;
  seatsSold: number;
  revenue: number;
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
  soldOut: boolean;
}
export interface SaleControl {
  concertId: string;
  paused: boolean;
  maxActive: number;
  admitPerTick: number;
}
export interface OperatorAction {
  id: string;
  at: string;
  operator: string;
  action: string;
  concertId: string | null;
  details: string;
}
export interface PriceRange {
  fromSeat: number;
  toSeat: number;
  price: number;
}

const CONCERT = "id title artist venue saleOpensAt";
const CONTROL = "concertId paused maxActive admitPerTick";
const STATS = `concertId at saleOpensAt prequeued waiting active admittedLastMinute abandonedLastMinute
  paidLastMinute seatsFree seatsHeld seatsSold revenue paused maxActive admitPerTick soldOut`;

export const Q = {
  concerts: `query Concerts { concerts { ${CONCERT} } }`,
  createConcert: `mutation CreateConcert($input: CreateConcertInput!) { createConcert(input: $input) { ${CONCERT} } }`,
  addConcertDate: `mutation AddConcertDate($concertId: ID!, $date: Date!, $prices: [SeatPriceInput!]!) {
    addConcertDate(concertId: $concertId, date: $date, prices: $prices) { id date availableSeatCount } }`,
  scheduleSale: `mutation ScheduleSale($concertId: ID!, $opensAt: DateTime!) {
    scheduleSale(concertId: $concertId, opensAt: $opensAt) { ${CONCERT} } }`,
  pause: `mutation Pause($concertId: ID!) { pauseAdmission(concertId: $concertId) { ${CONTROL} } }`,
  resume: `mutation Resume($concertId: ID!) { resumeAdmission(concertId: $concertId) { ${CONTROL} } }`,
  policy: `mutation Policy($concertId: ID!, $maxActive: Int, $admitPerTick: Int) {
    setAdmissionPolicy(concertId: $concertId, maxActive: $maxActive, admitPerTick: $admitPerTick) { ${CONTROL} } }`,
  saleStats: `query SaleStats($concertId: ID!) { saleStats(concertId: $concertId) { ${STATS} } }`,
  saleStatsUpdates: `subscription SaleStatsUpdates($concertId: ID!) { saleStatsUpdates(concertId: $concertId) { ${STATS} } }`,
  actions: `query Actions($concertId: ID, $limit: Int) {
    operatorActions(concertId: $concertId, limit: $limit) { id at operator action concertId details } }`,
} as const;

/** One POST /admin/graphql with the operator key. */
export async function admin<T>(
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/admin/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError("NETWORK", error instanceof Error ? error.message : String(error));
  }
  let body: { data?: T | null; errors?: { message: string; extensions?: Extensions }[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw new ApiError(res.status >= 500 ? "SERVICE_UNAVAILABLE" : "BAD_REQUEST", `HTTP ${res.status}`);
  }
  if (body.errors?.length) throw toApiError(body.errors);
  if (!body.data) throw new ApiError("INTERNAL_SERVER_ERROR", `HTTP ${res.status} without data`);
  return body.data;
}

/** graphql-ws on /admin/graphql; the key goes in connectionParams. Reconnects by itself. */
export function adminLive(key: string, onState: (live: boolean) => void): Client {
  return createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/admin/graphql`,
    connectionParams: () => ({ authorization: `Bearer ${key}` }),
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: 30,
    on: { connected: () => onState(true), closed: () => onState(false) },
  });
}

export { ApiError };
