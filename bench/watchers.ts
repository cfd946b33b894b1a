// The subscriber fleet: queueUpdates subscriptions spread over a few child processes
// (bench/watcher-child.ts), each connecting from its own loopback source address (127.0.0.2,
// 127.0.0.3, …) because one source address has only ~28,000 ephemeral ports for one server
// port. The children run on the same two cores as the servers.
import { execFileSync, fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { mergeAnalyses, type PushAnalysis, type Tick } from "./pushes.js";

const CHILD = fileURLToPath(new URL("./watcher-child.ts", import.meta.url));
const PER_CHILD = 15_000;

/**
 * Raises this process's open-file limit (inherited by the servers and the children it starts
 * later): 50,000 subscribers are 50,000 sockets in one server. Uses prlimit(1) on our own pid,
 * which needs root or CAP_SYS_RESOURCE to go above the hard limit; returns the limit in force.
 */
export function raiseFileLimit(wanted = 262_144): { soft: number; raised: boolean } {
  try {
    execFileSync("prlimit", ["--pid", String(process.pid), `--nofile=${wanted}:${wanted}`], {
      stdio: "ignore",
    });
    return { soft: wanted, raised: true };
  } catch {
    const out = execFileSync("sh", ["-c", `prlimit --pid ${process.pid} --nofile --output SOFT --noheadings`])
      .toString()
      .trim();
    return { soft: Number(out) || 0, raised: false };
  }
}

interface Child {
  proc: ChildProcess;
  tokens: string[];
  waiters: Map<string, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>;
}

/** Every fleet not yet closed, for a watchdog that must stop their processes. */
export const openFleets = new Set<WatcherFleet>();

export class WatcherFleet {
  private readonly children: Child[] = [];

  /** `onActive(token)` is called whenever a subscriber's push says ACTIVE (after its first push). */
  constructor(private readonly onActive: (token: string) => void) {}

  /** Opens one subscription per token; resolves when every child has tried all of its share. */
  async open(wsUrl: string, tokens: string[], deadline: number, concurrencyPerChild = 150) {
    openFleets.add(this);
    const count = Math.max(1, Math.ceil(tokens.length / PER_CHILD));
    const size = Math.ceil(tokens.length / count);
    for (let c = 0; c < count; c++) {
      const share = tokens.slice(c * size, (c + 1) * size);
      const proc = fork(CHILD, [], {
        execArgv: ["--disable-warning=DEP0205", "--import", "@swc-node/register/esm-register"],
        stdio: ["ignore", "inherit", "inherit", "ipc"],
      });
      const child: Child = { proc, tokens: share, waiters: new Map() };
      proc.on("message", (m: Record<string, unknown>) => {
        if (m["type"] === "active") {
          for (const i of m["indices"] as number[]) this.onActive(share[i]!);
          return;
        }
        if (m["type"] === "failed") {
          for (const w of child.waiters.values()) w.reject(new Error(`watcher child: ${String(m["error"])}`));
          child.waiters.clear();
          return;
        }
        const w = child.waiters.get(m["type"] as string);
        child.waiters.delete(m["type"] as string);
        w?.resolve(m);
      });
      this.children.push(child);
    }
    const replies = await Promise.all(
      this.children.map((ch, c) =>
        this.ask(ch, "opened", {
          type: "open",
          wsUrl,
          tokens: ch.tokens,
          localAddress: `127.0.0.${2 + c}`,
          concurrency: concurrencyPerChild,
          deadline,
        }),
      ),
    );
    return {
      processes: this.children.length,
      opened: replies.reduce((s, r) => s + (r["opened"] as number), 0),
      failed: replies.reduce((s, r) => s + (r["failed"] as number), 0),
      notTried: replies.reduce((s, r) => s + (r["notTried"] as number), 0),
      firstError: (replies.find((r) => r["firstError"])?.["firstError"] as string | undefined) ?? null,
    };
  }

  async received(): Promise<number> {
    const r = await Promise.all(this.children.map((ch) => this.ask(ch, "count", { type: "count" })));
    return r.reduce((s, x) => s + (x["received"] as number), 0);
  }

  /** The pushes against the ticks, and the subscriber processes' event-loop lag since `since`. */
  async analyse(
    ticks: Tick[],
    since: number,
  ): Promise<PushAnalysis & { subscriberErrors: number; loopLagMs: number[] }> {
    const r = await Promise.all(
      this.children.map((ch) => this.ask(ch, "analysis", { type: "analyse", ticks, since })),
    );
    return {
      ...mergeAnalyses(r.map((x) => x["analysis"] as PushAnalysis)),
      subscriberErrors: r.reduce((s, x) => s + (x["errors"] as number), 0),
      loopLagMs: r.flatMap((x) => x["loopLagMs"] as number[]),
    };
  }

  async close(): Promise<void> {
    openFleets.delete(this);
    await Promise.all(
      this.children.map(async (ch) => {
        if (ch.proc.exitCode !== null) return;
        await this.ask(ch, "closed", { type: "close" }).catch(() => undefined);
        const exited = new Promise((r) => ch.proc.once("exit", r));
        ch.proc.disconnect();
        await exited;
      }),
    );
  }

  /** Stops the children at once (watchdog, errors). */
  kill(): void {
    for (const ch of this.children) ch.proc.kill("SIGKILL");
  }

  private ask(ch: Child, reply: string, message: unknown): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) => {
      if (ch.proc.exitCode !== null) return reject(new Error("watcher child has exited"));
      ch.waiters.set(reply, { resolve, reject });
      ch.proc.send(message as object);
    });
  }
}
