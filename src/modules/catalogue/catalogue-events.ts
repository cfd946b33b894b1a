// CATALOGUE_CHANGED on every instance: each per-process cache of concerts, dates and seats
// drops what the event names at once, instead of waiting its time-to-live out.
import type { BackgroundJob, Infrastructure } from "../../platform/module.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";

/** A per-process cache that can forget a concert (and a date of it). */
export interface CatalogueCache {
  forget(event: CatalogueChangedEvent): void;
}

export function catalogueEventsOver(infra: Infrastructure): (event: CatalogueChangedEvent) => void {
  return (event) => infra.pubsub.publish("CATALOGUE_CHANGED", event);
}

/** Listens for CATALOGUE_CHANGED while started and hands every event to every cache. */
export function catalogueInvalidationJob(infra: Infrastructure, caches: CatalogueCache[]): BackgroundJob {
  let events: AsyncIterableIterator<CatalogueChangedEvent> | undefined;
  let loop: Promise<void> | undefined;
  return {
    name: "catalogue-invalidation",
    start() {
      if (events) return;
      const stream = infra.pubsub.subscribe("CATALOGUE_CHANGED");
      events = stream;
      loop = (async () => {
        for await (const event of stream) {
          infra.log.debug({ event }, "catalogue changed: caches dropped");
          for (const cache of caches) cache.forget(event);
        }
      })().catch((error: unknown) => infra.log.error({ err: error }, "catalogue invalidation stopped"));
    },
    async stop() {
      await events?.return?.();
      await loop;
      events = undefined;
    },
  };
}
