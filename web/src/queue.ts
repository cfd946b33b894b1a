// Keeps one queue ticket fresh: pushed by `queueUpdates`, polled with `queueStatus` whenever the
// socket is down, so the page moves on even through an outage and never loses the place.
import { gql, Q, type QueueTicket } from "./api.js";
import { ApiError } from "./errors.js";
import { createLive, type ConnectionState, type Live } from "./live.js";

export interface QueueWatch {
  readonly live: Live;
  stop(): void;
}
export interface QueueHandlers {
  onTicket(ticket: QueueTicket): void;
  onState(state: ConnectionState): void;
  /** The token is no good any more (forged, too old): the caller must enter the queue again. */
  onFail(error: ApiError): void;
}

const POLL_MS = 3000;
const RESUBSCRIBE_MS = 2000;

export function watchQueue(token: string, handlers: QueueHandlers): QueueWatch {
  let stopped = false;
  let lastStatus: QueueTicket["status"] | undefined;
  let pollTimer: ReturnType<typeof setInterval> | undefined;
  let resubscribeTimer: ReturnType<typeof setTimeout> | undefined;
  let unsubscribe: (() => void) | undefined;

  const deliver = (ticket: QueueTicket) => {
    if (stopped) return;
    lastStatus = ticket.status;
    handlers.onTicket(ticket);
  };
  const fail = (error: ApiError) => {
    if (stopped) return;
    stop();
    handlers.onFail(error);
  };
  const fatal = (error: ApiError) => error.code === "UNAUTHENTICATED";

  const poll = async () => {
    try {
      deliver((await gql<{ queueStatus: QueueTicket }>(Q.queueStatus, {}, token)).queueStatus);
    } catch (error) {
      if (error instanceof ApiError && fatal(error)) fail(error);
      // Anything else (network, overload) is what polling rides out: the next poll retries.
    }
  };
  const setPolling = (on: boolean) => {
    if (on && !pollTimer && !stopped) pollTimer = setInterval(() => void poll(), POLL_MS);
    if (!on && pollTimer) {
      clearInterval(pollTimer);
      pollTimer = undefined;
    }
  };

  const live = createLive(token, (state) => {
    if (stopped) return;
    handlers.onState(state);
    // Poll through every retry until the socket is back (a lazy close after the last stream is idle).
    setPolling(state !== "live" && state !== "idle");
  });

  const subscribe = () => {
    unsubscribe = live.subscribe<QueueTicket>(
      Q.queueUpdates,
      {},
      {
        next: deliver,
        error: (error) => {
          if (fatal(error)) return fail(error);
          setPolling(true);
          resubscribeTimer = setTimeout(subscribe, RESUBSCRIBE_MS);
        },
        complete: () => {
          // The server ends the stream at EXPIRED; any other end (a restart) means: subscribe again.
          if (lastStatus !== "EXPIRED" && !stopped) resubscribeTimer = setTimeout(subscribe, RESUBSCRIBE_MS);
        },
      },
    );
  };

  function stop() {
    stopped = true;
    setPolling(false);
    clearTimeout(resubscribeTimer);
    unsubscribe?.();
    live.dispose();
  }

  subscribe();
  return { live, stop };
}
