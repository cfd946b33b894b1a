// Wires the queue's services on fakes: FakeQueueStore, FakeClock, recorded events.
import { FakeClock } from "../../../src/platform/clock.js";
import { createLogger } from "../../../src/platform/logger.js";
import { QueueAccess } from "../../../src/modules/queue/queue-access.js";
import { QueueService } from "../../../src/modules/queue/queue.service.js";
import type { QueueSettings } from "../../../src/modules/queue/queue.model.js";
import { QueueTokenCodec } from "../../../src/modules/queue/queue-token.js";
import {
  QueueUpdatesHub,
  type QueueChangeFeed,
  type QueueUpdatesDeps,
} from "../../../src/modules/queue/queue-updates.js";
import { LiveStream } from "../../../src/platform/graphql/live-stream.js";
import { DomainError } from "../../../src/platform/errors.js";
import { FakeQueueStore } from "./fake-queue-store.js";

export const CONCERT = "019abcde-0000-7000-8000-0000000000c1";
export const OTHER_CONCERT = "019abcde-0000-7000-8000-0000000000c2";

/** A change feed whose events the test fires by hand. */
export class FakeFeed implements QueueChangeFeed {
  readonly channels = new Map<string, LiveStream<unknown>[]>();
  listen(concertId: string) {
    const ch = new LiveStream<unknown>(() => undefined);
    this.channels.set(concertId, [...(this.channels.get(concertId) ?? []), ch]);
    return ch.iterator;
  }
  fire(concertId: string, at?: number) {
    for (const ch of this.channels.get(concertId) ?? [])
      ch.send({ concertId, ...(at === undefined ? {} : { at }) });
  }
}

export function queueOnFakes(
  overrides: Partial<QueueSettings> = {},
  hubOptions: Pick<QueueUpdatesDeps, "cadence" | "random" | "observeSkip" | "maxAdmissionRate"> = {},
) {
  const settings: QueueSettings = {
    maxActive: 2,
    admitPerTick: 1,
    tickMs: 1000,
    activeMs: 60_000,
    idleMs: 30_000,
    maxAgeMs: 86_400_000,
    ...overrides,
  };
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const store = new FakeQueueStore(settings);
  const events: { concertId: string; at: number; userId?: string }[] = [];
  const codec = new QueueTokenCodec("unit-test-secret-0123", settings.maxAgeMs / 1000, clock);
  const changed = {
    changed: (concertId: string, at: number, userId?: string) =>
      void events.push({ concertId, at, ...(userId ? { userId } : {}) }),
  };
  const access = new QueueAccess({ codec, store, events: changed, clock });
  const keys = new Map<string, string>();
  let nextId = 0;
  const service = new QueueService({
    store,
    codec,
    access,
    users: {
      verifyAccessKey: async (userId, key) => {
        if (keys.get(userId) !== key) throw new DomainError("UNAUTHENTICATED", "wrong key");
      },
    },
    concerts: { exists: async (id) => id === CONCERT || id === OTHER_CONCERT },
    events: changed,
    clock,
    settings,
    log: createLogger("silent"),
    newTicketId: () => `ticket-${++nextId}`,
  });
  const feed = new FakeFeed();
  const hub = new QueueUpdatesHub({
    guard: access,
    store,
    feed,
    present: (c, v) => service.present(c, v),
    clock,
    log: createLogger("silent"),
    ...hubOptions,
  });
  const user = (n: number) => {
    const id = `user-${n}`;
    keys.set(id, `key-${n}`);
    return { userId: id, accessKey: `key-${n}` };
  };
  const enter = (n: number, concertId = CONCERT) => {
    const u = user(n);
    return service.issue(u.userId, u.accessKey, concertId);
  };
  return { settings, clock, store, events, codec, access, service, hub, feed, user, enter };
}

export async function errorOf(p: Promise<unknown>): Promise<DomainError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected a DomainError");
}
