// The Operator API (/admin/graphql) for tests: HTTP with a bearer secret, and graphql-ws.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";
import type { GraphQLResponse } from "./graphql-client.js";

/** Two operator keys for tests (OPERATOR_KEYS=TEST_OPERATOR_KEYS). */
export const ALICE = { name: "alice", secret: "alice-secret-0123456789abcdef0123456789" };
export const BOB = { name: "bob", secret: "bob-secret-0123456789abcdef0123456789ab" };
export const TEST_OPERATOR_KEYS = `${ALICE.name}:${ALICE.secret},${BOB.name}:${BOB.secret}`;

export class AdminTestClient {
  constructor(
    readonly baseUrl: string,
    readonly secret: string | null = ALICE.secret,
    /** Sent with every HTTP call (e.g. X-Forwarded-For behind TRUST_PROXY). */
    readonly headers: Record<string, string> = {},
  ) {}

  as(secret: string | null, headers: Record<string, string> = this.headers): AdminTestClient {
    return new AdminTestClient(this.baseUrl, secret, headers);
  }

  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    headers: Record<string, string> = {},
  ): Promise<GraphQLResponse<T> & { status: number }> {
    const res = await fetch(`${this.baseUrl}/admin/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(this.secret !== null ? { authorization: `Bearer ${this.secret}` } : {}),
        ...this.headers,
        ...headers,
      },
      body: JSON.stringify({ query, variables }),
    });
    return { ...((await res.json()) as GraphQLResponse<T>), status: res.status };
  }

  async data<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
  ): Promise<T> {
    const body = await this.request<T>(query, variables);
    if (body.errors?.length || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    return body.data;
  }

  /** The first error's code and message (undefined code: the call succeeded). */
  async error(query: string, variables: Record<string, unknown> = {}) {
    const body = await this.request(query, variables);
    const first = body.errors?.[0];
    return { code: first?.extensions?.code, message: first?.message ?? "", extensions: first?.extensions };
  }

  /** `authorization` goes into connectionParams (null: none); this client's headers go on the upgrade. */
  ws(authorization: string | null = this.secret ? `Bearer ${this.secret}` : null): Client {
    const headers = this.headers;
    class WithHeaders extends WebSocket {
      constructor(address: string, protocols?: string | string[]) {
        super(address, protocols, { headers });
      }
    }
    return createClient({
      url: `${this.baseUrl.replace(/^http/, "ws")}/admin/graphql`,
      webSocketImpl: WithHeaders,
      connectionParams: authorization !== null ? { authorization } : {},
      retryAttempts: 0,
      lazy: true,
    });
  }
}

export const CONCERT_FIELDS = "id title artist venue saleOpensAt";
export const CREATE_CONCERT = `mutation($input: CreateConcertInput!) { createConcert(input: $input) { ${CONCERT_FIELDS} } }`;
export const ADD_DATE = `mutation($concertId: ID!, $date: Date!, $prices: [SeatPriceInput!]!) {
  addConcertDate(concertId: $concertId, date: $date, prices: $prices) { id concertId date startsAt availableSeatCount } }`;
export const SCHEDULE = `mutation($concertId: ID!, $opensAt: DateTime!) {
  scheduleSale(concertId: $concertId, opensAt: $opensAt) { ${CONCERT_FIELDS} } }`;
export const ADMIN_CONCERTS = `query { concerts { ${CONCERT_FIELDS} } }`;
export const ACTIONS = `query($concertId: ID, $limit: Int) {
  operatorActions(concertId: $concertId, limit: $limit) { id at operator action concertId details } }`;

/** One price for all 50 seats. */
export const FLAT_PRICES = [{ fromSeat: 1, toSeat: 50, price: 50_000 }];

export interface ConcertRow {
  id: string;
  title: string;
  artist: string;
  venue: string;
  saleOpensAt: string | null;
}

export async function createConcert(
  admin: AdminTestClient,
  input: Partial<{ title: string; artist: string; venue: string; saleOpensAt: string | null }> = {},
): Promise<ConcertRow> {
  const data = await admin.data<{ createConcert: ConcertRow }>(CREATE_CONCERT, {
    input: { title: "New Show", artist: "Someone", venue: "Some Hall", ...input },
  });
  return data.createConcert;
}
