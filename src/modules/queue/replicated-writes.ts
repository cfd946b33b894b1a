// How the queue's stores run a script that changes tickets: alone on a single node, or with a
// WAIT for the configured replicas in the same pipeline (docs/scaling.md, "Failover").
import type { Redis } from "../../platform/redis/redis.js";
import type { ReplicaWait } from "./queue.model.js";

export type Script = (...args: (string | number)[]) => Promise<unknown>;

/** How often a write refused by a moving slot is sent again (100, 200, ... ms apart). */
const MOVED_RETRIES = 10;
const MOVED = /^(MOVED|ASK|TRYAGAIN|CLUSTERDOWN) /;

export class ReplicatedWrites<Names extends string> {
  constructor(
    private readonly redis: Redis,
    private readonly replicaWait: ReplicaWait,
    /** Re-send a script refused by a moving slot (false: the caller tries again later itself). */
    private readonly retryMoved: boolean,
  ) {}

  /**
   * Runs `script`; with a replica wait, in one pipeline with WAIT (keyless, so on a cluster it
   * goes with the script to the shard that owns the concert's slot). ioredis re-sends a pipeline
   * on MOVED only when every command of it was moved, which the keyless WAIT never is: a script
   * refused with MOVED (it did not run) is sent again here, once the client has the new slot map
   * (a failover).
   */
  async run(script: Names, ...args: (string | number)[]): Promise<unknown> {
    const { replicas, timeoutMs } = this.replicaWait;
    if (replicas === 0) return (this.redis as unknown as Record<Names, Script>)[script](...args);
    for (let attempt = 1; ; attempt++) {
      const pipeline = this.redis.pipeline() as unknown as Record<Names, Script> & {
        wait(replicas: number, timeoutMs: number): unknown;
        exec(): Promise<[Error | null, unknown][]>;
      };
      void pipeline[script](...args);
      void pipeline.wait(replicas, timeoutMs);
      const [[error, value]] = (await pipeline.exec()) as [[Error | null, unknown]];
      if (!error) return value;
      if (!this.retryMoved || attempt >= MOVED_RETRIES || !MOVED.test(error.message)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
