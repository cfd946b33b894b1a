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
  onError: (error: unknown, what: string) => void = () => undefined,
): AppPubSub<T> & { raw: PubSub<TopicMap> } {
  const eventTarget = createRedisEventTarget({
    publishClient: guardedPublisher(publishClient, onError),
    subscribeClient: guardedSubscriber(subscribeClient, onError),
  });
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

/**
 * redis-event-target calls PUBLISH and SUBSCRIBE without handling their promises: with Redis
 * away, the rejection would be unhandled and end the process (an instance must keep serving
 * what does not need Redis, and report not ready). A failed PUBLISH is reported (the event is
 * lost, as on any Redis outage); a failed SUBSCRIBE is reported and sent again once the client
 * is ready, because ioredis restores on reconnect only the subscriptions that succeeded.
 */
function guardedPublisher(client: Redis, onError: (error: unknown, what: string) => void): Redis {
  return {
    publish: (channel: string, message: string) =>
      client.publish(channel, message).catch((error: unknown) => {
        onError(error, `publish ${channel}`);
        return 0;
      }),
  } as unknown as Redis;
}

function guardedSubscriber(client: Redis, onError: (error: unknown, what: string) => void): Redis {
  const subscribe = (channel: string): void => {
    client.subscribe(channel).catch((error: unknown) => {
      onError(error, `subscribe ${channel}`);
      client.once("ready", () => subscribe(channel));
    });
  };
  return {
    on: client.on.bind(client),
    subscribe,
    unsubscribe: (channel: string) =>
      client.unsubscribe(channel).catch((error: unknown) => onError(error, `unsubscribe ${channel}`)),
  } as unknown as Redis;
}
