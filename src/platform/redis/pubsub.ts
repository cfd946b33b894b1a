import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "@graphql-yoga/subscription";
import type { Redis } from "ioredis";

/** Topic name → publish arguments ([payload] or [id, payload]). */
export type TopicMap = Record<string, [unknown] | [string, unknown]>;

export interface AppPubSub<T extends TopicMap> {
  publish<K extends Extract<keyof T, string>>(topic: K, ...args: T[K]): void;
  subscribe<K extends Extract<keyof T, string>>(
    topic: K,
    ...id: T[K] extends [string, unknown] ? [string] : []
  ): AsyncIterableIterator<T[K] extends [string, infer P] ? P : T[K] extends [infer P] ? P : never>;
}

/**
 * type-graphql's pubsub over Redis, so that an event published on one instance reaches the
 * subscribers of every instance. Every channel starts with REDIS_PREFIX, so deployments and
 * test runs can share one Redis.
 */
export function createAppPubSub<T extends TopicMap>(
  publishClient: Redis,
  subscribeClient: Redis,
  prefix: string,
): AppPubSub<T> & { raw: PubSub<TopicMap> } {
  const eventTarget = createRedisEventTarget({ publishClient, subscribeClient });
  const raw = createPubSub<TopicMap>({ eventTarget: eventTarget as never });
  return {
    raw,
    publish(topic, ...args) {
      (raw.publish as (t: string, ...a: unknown[]) => void)(prefix + topic, ...args);
    },
    subscribe(topic, ...id) {
      return (raw.subscribe as (t: string, ...a: unknown[]) => never)(prefix + topic, ...id);
    },
  };
}
