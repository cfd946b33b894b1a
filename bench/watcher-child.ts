// One child process of the subscriber fleet (bench/watchers.ts): holds its share of the
// queueUpdates subscriptions from its own loopback source address, tells the parent whenever a
// subscriber turns ACTIVE (the parent then sends leaveQueue for it), and analyses its own pushes
// at the end so that only summaries cross the IPC channel.
import { pool } from "./lib.js";
import { analysePushes, type Tick } from "./pushes.js";
import { QueueWatcher } from "./queue-watcher.js";

type Command =
  | {
      type: "open";
      wsUrl: string;
      tokens: string[];
      localAddress: string;
      concurrency: number;
      /** Date.now() after which no new subscription is started. */
      deadline: number;
    }
  | { type: "count" }
  | { type: "analyse"; ticks: Tick[]; since: number }
  | { type: "close" };

const send = (m: unknown) => process.send!(m);
let watchers: (QueueWatcher | undefined)[] = [];
let pendingActive: number[] = [];
setInterval(() => {
  if (pendingActive.length) {
    send({ type: "active", indices: pendingActive });
    pendingActive = [];
  }
}, 50).unref();

// How late this process's own event loop runs: a push that arrives while it is behind is
// stamped late by as much. Sampled every 100 ms (a timer's drift), kept for the analysis.
const LAG_EVERY_MS = 100;
const lags: { at: number; lag: number }[] = [];
let lagExpected = Date.now() + LAG_EVERY_MS;
setInterval(() => {
  const now = Date.now();
  lags.push({ at: now, lag: Math.max(0, now - lagExpected) });
  lagExpected = now + LAG_EVERY_MS;
}, LAG_EVERY_MS).unref();

process.on("message", (m: Command) => {
  void handle(m).catch((error: unknown) => send({ type: "failed", error: String(error) }));
});
process.on("disconnect", () => process.exit(0));

async function handle(m: Command): Promise<void> {
  if (m.type === "open") {
    watchers = new Array(m.tokens.length);
    let failed = 0;
    let tried = 0;
    let firstError: string | null = null;
    const poolDeadline = m.deadline;
    await pool(
      m.tokens.length,
      m.concurrency,
      async (i) => {
        tried++;
        const w = new QueueWatcher((watcher, push) => {
          if (push.status === "ACTIVE" && watcher.pushes.length > 1) pendingActive.push(i);
        });
        try {
          await w.open(m.wsUrl, m.tokens[i]!, 60_000, m.localAddress);
          watchers[i] = w;
        } catch (error) {
          failed++;
          firstError ??= String(error);
          w.close();
        }
      },
      poolDeadline,
    );
    send({ type: "opened", opened: tried - failed, failed, notTried: m.tokens.length - tried, firstError });
  } else if (m.type === "count") {
    let received = 0;
    for (const w of watchers) received += w?.pushes.length ?? 0;
    send({ type: "count", received });
  } else if (m.type === "analyse") {
    // Subscribers that were WAITING when the window opened: first push = the place at `since`.
    const subs = watchers.flatMap((w) => {
      if (!w) return [];
      const before = w.pushes.filter((p) => p.at < m.since);
      const after = w.pushes.filter((p) => p.at >= m.since);
      const first = before.at(-1) ?? w.pushes[0];
      return first && first.status === "WAITING" ? [[first, ...after]] : [];
    });
    const analysis = analysePushes(subs, m.ticks);
    const loopLagMs = lags.filter((l) => l.at >= m.since).map((l) => l.lag);
    send({ type: "analysis", analysis, errors: watchers.filter((w) => w?.error).length, loopLagMs });
  } else {
    for (const w of watchers) w?.close();
    watchers = [];
    send({ type: "closed" });
  }
}
