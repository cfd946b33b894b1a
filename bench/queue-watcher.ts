// A minimal graphql-ws (graphql-transport-ws) subscriber over `ws`, light enough to hold 10,000
// of them in the bench process: connection_init with the token, one queueUpdates subscription,
// and every push kept with its arrival time (Date.now(), the clock the server stamps `at` with).
import WebSocket from "ws";

export interface Push {
  at: number;
  status: string;
  position: number | null;
}

const QUERY = "subscription { queueUpdates { status position } }";

export class QueueWatcher {
  readonly pushes: Push[] = [];
  completed = false;
  error: string | null = null;
  private closing = false;
  private socket: WebSocket | null = null;

  constructor(private readonly onPush: (watcher: QueueWatcher, push: Push) => void = () => undefined) {}

  /** Resolves at the first push (the ticket as it is now), or rejects after `timeoutMs`. */
  open(wsUrl: string, token: string, timeoutMs = 30_000, localAddress?: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error("no first push in time"));
        this.close();
      }, timeoutMs);
      // A source address other than 127.0.0.1 (any of 127/8 is loopback) gives another ~28,000
      // ephemeral ports: one source address cannot hold 50,000 connections to one server port.
      const ws = new WebSocket(wsUrl, "graphql-transport-ws", localAddress ? { localAddress } : {});
      this.socket = ws;
      ws.on("open", () =>
        ws.send(JSON.stringify({ type: "connection_init", payload: { authorization: `Bearer ${token}` } })),
      );
      ws.on("message", (raw: Buffer) => {
        const msg = JSON.parse(raw.toString()) as { type: string; payload?: unknown };
        if (msg.type === "connection_ack") {
          ws.send(JSON.stringify({ id: "1", type: "subscribe", payload: { query: QUERY } }));
        } else if (msg.type === "ping") {
          ws.send(JSON.stringify({ type: "pong" }));
        } else if (msg.type === "next") {
          const data = (
            msg.payload as { data?: { queueUpdates?: { status: string; position: number | null } } }
          ).data?.queueUpdates;
          if (!data) {
            this.error = JSON.stringify(msg.payload);
            return;
          }
          const push = { at: Date.now(), status: data.status, position: data.position };
          this.pushes.push(push);
          if (this.pushes.length === 1) {
            clearTimeout(timer);
            resolve();
          }
          this.onPush(this, push);
        } else if (msg.type === "complete") {
          this.completed = true;
          this.close();
        } else if (msg.type === "error") {
          this.error = JSON.stringify(msg.payload);
        }
      });
      ws.on("error", (e) => {
        this.error ??= String(e);
        clearTimeout(timer);
        reject(e);
      });
      ws.on("close", (code) => {
        if (!this.completed && !this.closing && code !== 1000) this.error ??= `closed ${code}`;
      });
    });
  }

  close(): void {
    this.closing = true;
    this.socket?.terminate();
    this.socket = null;
  }
}
