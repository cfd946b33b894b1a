// The WebSocket side: one graphql-ws client per queue token. It reconnects by itself and, since
// the same token is sent again, the server hands back the same place in line.
import { createClient, type Client } from "graphql-ws";
import { toApiError } from "./api.js";
import { ApiError, type Extensions } from "./errors.js";

export type ConnectionState = "idle" | "connecting" | "live" | "reconnecting";

export interface Live {
  subscribe<T>(query: string, variables: Record<string, unknown>, sink: LiveSink<T>): () => void;
  dispose(): void;
}
export interface LiveSink<T> {
  next(value: T): void;
  error(error: ApiError): void;
  complete(): void;
}

// graphql-ws's Forbidden: the server refused the token in connectionParams. Retrying is useless.
const FORBIDDEN = 4403;

export function createLive(token: string, onState: (state: ConnectionState) => void): Live {
  let open = 0; // subscriptions in flight: a close with none left is the lazy close, not an outage
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
  const client: Client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${token}` }),
    lazy: true,
    keepAlive: 10_000,
    retryAttempts: 60,
    // Capped, jittered backoff: a restarted server is not hit by every browser at the same instant.
    retryWait: (retries) =>
      new Promise((resolve) =>
        setTimeout(resolve, Math.min(5000, 500 * 2 ** retries) * (0.5 + Math.random())),
      ),
    shouldRetry: (event) => !(event instanceof CloseEvent && event.code === FORBIDDEN),
    on: {
      connecting: () => onState("connecting"),
      connected: () => onState("live"),
      closed: () => onState(open > 0 ? "reconnecting" : "idle"),
    },
  });
  return {
    subscribe<T>(query: string, variables: Record<string, unknown>, sink: LiveSink<T>) {
      open++;
      let done = false;
      const finish = () => {
        if (!done) open--;
        done = true;
      };
      const unsubscribe = client.subscribe<Record<string, T>>(
        { query, variables },
        {
          next: (result) => {
            if (result.errors?.length) return sink.error(toApiError(result.errors as { message: string }[]));
            const value = result.data ? Object.values(result.data)[0] : undefined;
            if (value !== undefined) sink.next(value);
          },
          error: (error) => {
            finish();
            sink.error(asApiError(error));
          },
          complete: () => {
            finish();
            sink.complete();
          },
        },
      );
      return () => {
        finish();
        unsubscribe();
      };
    },
    dispose: () => {
      open = 0;
      onState("idle");
      void client.dispose();
    },
  };
}

function asApiError(error: unknown): ApiError {
  if (Array.isArray(error)) return toApiError(error as { message: string; extensions?: Extensions }[]);
  if (error instanceof CloseEvent) {
    return error.code === FORBIDDEN
      ? new ApiError("UNAUTHENTICATED", error.reason || "Forbidden")
      : new ApiError("NETWORK", `socket closed (${error.code})`);
  }
  return new ApiError("NETWORK", error instanceof Error ? error.message : String(error));
}
