// The page's view of the GraphQL contract (docs/api.md): types, documents and the HTTP call.
import { ApiError, type Extensions } from "./errors.js";

export type QueueStatus = "PREQUEUED" | "WAITING" | "ACTIVE" | "EXPIRED";
export type SeatStatus = "FREE" | "HELD" | "SOLD";

export interface QueueTicket {
  token: string;
  userId: string;
  concertId: string;
  status: QueueStatus;
  position: number | null;
  estimatedWaitSeconds: number | null;
  activeUntil: string | null;
  /** When the sale opens (the pre-queue draw); null when it was on sale from the start. */
  saleOpensAt: string | null;
  /** An operator paused admission: nobody is let in meanwhile (the place is kept). */
  admissionPaused: boolean;
  /** No seat of any coming date is free or held. */
  soldOut: boolean;
}
export interface Concert {
  id: string;
  title: string;
  artist: string;
  venue: string;
}
export interface ConcertDate {
  id: string;
  date: string;
  availableSeatCount: number;
}
export interface Seat {
  number: number;
  price: number;
  status: SeatStatus;
}
export interface SeatChange {
  concertDateId: string;
  number: number;
  status: SeatStatus;
}
export interface Reservation {
  id: string;
  seatNumber: number;
  concertDateId: string;
  status: "HELD" | "CONFIRMED" | "EXPIRED" | "CANCELLED";
  price: number;
  expiresAt: string;
}
export interface Wallet {
  userId: string;
  balance: number;
}
export interface Payment {
  id: string;
  amount: number;
  paidAt: string;
  reservation: Reservation;
}

const TICKET =
  "token userId concertId status position estimatedWaitSeconds activeUntil saleOpensAt admissionPaused soldOut";
const RESERVATION = "id seatNumber concertDateId status price expiresAt";

export const Q = {
  serverTime: "query ServerTime { serverTime }",
  signUp: "mutation SignUp($name: String) { signUp(name: $name) { userId accessKey } }",
  concerts: "query Concerts { concerts { id title artist venue } }",
  issueQueueToken: `mutation IssueQueueToken($userId: ID!, $accessKey: String!, $concertId: ID!) {
    issueQueueToken(userId: $userId, accessKey: $accessKey, concertId: $concertId) { ${TICKET} } }`,
  queueStatus: `query QueueStatus { queueStatus { ${TICKET} } }`,
  queueUpdates: `subscription QueueUpdates { queueUpdates { ${TICKET} } }`,
  leaveQueue: `mutation LeaveQueue { leaveQueue { ${TICKET} } }`,
  availableDates: `query AvailableDates($concertId: ID!) {
    availableDates(concertId: $concertId) { id date availableSeatCount } }`,
  seatMap:
    "query SeatMap($concertDateId: ID!) { seatMap(concertDateId: $concertDateId) { number price status } }",
  seatUpdates: `subscription SeatUpdates($concertDateId: ID!) {
    seatUpdates(concertDateId: $concertDateId) { concertDateId number status } }`,
  reserveSeat: `mutation ReserveSeat($concertDateId: ID!, $seatNumber: Int!) {
    reserveSeat(concertDateId: $concertDateId, seatNumber: $seatNumber) { ${RESERVATION} } }`,
  cancelReservation: `mutation CancelReservation($reservationId: ID!) {
    cancelReservation(reservationId: $reservationId) { ${RESERVATION} } }`,
  balance: "query Balance { balance { userId balance } }",
  chargeBalance: `mutation ChargeBalance($amount: Int!, $idempotencyKey: String) {
    chargeBalance(amount: $amount, idempotencyKey: $idempotencyKey) { userId balance } }`,
  payReservation: `mutation PayReservation($reservationId: ID!, $idempotencyKey: String) {
    payReservation(reservationId: $reservationId, idempotencyKey: $idempotencyKey) {
      id amount paidAt reservation { ${RESERVATION} } } }`,
  myReservations: `query MyReservations { myReservations { ${RESERVATION} } }`,
  myPayments: `query MyPayments { myPayments { id amount paidAt reservation { ${RESERVATION} } } }`,
} as const;

interface GraphQLResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: Extensions }[];
}

/** Turns a GraphQL error list (HTTP or WebSocket) into one ApiError. */
export function toApiError(errors: readonly { message: string; extensions?: Extensions }[]): ApiError {
  const first = errors[0];
  const ext = first?.extensions ?? {};
  const code = typeof ext["code"] === "string" ? ext["code"] : "INTERNAL_SERVER_ERROR";
  return new ApiError(code, first?.message ?? "unknown error", ext);
}

/** One POST /graphql; a JSON content type keeps Apollo's CSRF rule satisfied. */
export async function gql<T>(
  query: string,
  variables: Record<string, unknown> = {},
  token?: string,
): Promise<T> {
  let res: Response;
  try {
    res = await fetch("/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    });
  } catch (error) {
    throw new ApiError("NETWORK", error instanceof Error ? error.message : String(error));
  }
  let body: GraphQLResponse<T>;
  try {
    body = (await res.json()) as GraphQLResponse<T>;
  } catch {
    throw new ApiError(res.status >= 500 ? "SERVICE_UNAVAILABLE" : "BAD_REQUEST", `HTTP ${res.status}`);
  }
  if (body.errors?.length) throw toApiError(body.errors);
  if (!body.data) throw new ApiError("INTERNAL_SERVER_ERROR", `HTTP ${res.status} without data`);
  return body.data;
}

/** A random key that works on plain http too (crypto.randomUUID needs a secure context). */
export function newIdempotencyKey(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
