// A small GraphQL client for tests: HTTP via fetch, subscriptions via graphql-ws.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorShape[];
}

export class GraphQLTestClient {
  constructor(readonly baseUrl: string) {}

  /** POST /graphql; returns the parsed body whatever the status. */
  async request<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string | null,
  ): Promise<GraphQLResponse<T>> {
    const res = await fetch(`${this.baseUrl}/graphql`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as GraphQLResponse<T>;
  }

  /** Like request, but throws when the response has errors. */
  async data<T = Record<string, unknown>>(
    query: string,
    variables: Record<string, unknown> = {},
    token?: string | null,
  ): Promise<T> {
    const body = await this.request<T>(query, variables, token);
    if (body.errors?.length || !body.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
    }
    return body.data;
  }

  /** The code of the first error, or undefined when the call succeeded. */
  async errorCode(query: string, variables: Record<string, unknown> = {}, token?: string | null) {
    const body = await this.request(query, variables, token);
    return body.errors?.[0]?.extensions?.code;
  }

  /** A graphql-ws client on /graphql; `authorization` goes into connectionParams. */
  ws(authorization?: string, options: { retryAttempts?: number } = {}): Client {
    return createClient({
      url: `${this.baseUrl.replace(/^http/, "ws")}/graphql`,
      webSocketImpl: WebSocket,
      connectionParams: authorization ? { authorization } : {},
      retryAttempts: options.retryAttempts ?? 0,
      lazy: true,
    });
  }
}

/** Collects a subscription's events; `next(predicate)` waits for a matching one. */
export function subscribe<T>(
  client: Client,
  query: string,
  variables: Record<string, unknown> = {},
): {
  events: { data?: T | null; errors?: readonly GraphQLErrorShape[] }[];
  next(
    predicate?: (e: { data?: T | null; errors?: readonly GraphQLErrorShape[] }) => boolean,
    timeoutMs?: number,
  ): Promise<{ data?: T | null; errors?: readonly GraphQLErrorShape[] }>;
  done: Promise<{ error?: unknown }>;
  unsubscribe(): void;
} {
  const events: { data?: T | null; errors?: readonly GraphQLErrorShape[] }[] = [];
  const waiters: {
    predicate: (e: (typeof events)[number]) => boolean;
    resolve: (e: (typeof events)[number]) => void;
  }[] = [];
  let seen = 0;
  let finish: (r: { error?: unknown }) => void = () => undefined;
  const done = new Promise<{ error?: unknown }>((r) => (finish = r));
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (value) => {
        const event = value as (typeof events)[number];
        events.push(event);
        for (const w of [...waiters]) {
          if (w.predicate(event)) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(event);
          }
        }
      },
      error: (error) => finish({ error }),
      complete: () => finish({}),
    },
  );
  return {
    events,
    done,
    unsubscribe,
    next(predicate = () => true, timeoutMs = 10_000) {
      const earlier = events.slice(seen).find(predicate);
      if (earlier) {
        seen = events.indexOf(earlier) + 1;
        return Promise.resolve(earlier);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events)}`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (e) => {
            clearTimeout(timer);
            seen = events.indexOf(e) + 1;
            resolve(e);
          },
        });
      });
    },
  };
}
