import { createRedisEventTarget } from "@graphql-yoga/redis-event-target";
import { createPubSub, type PubSub } from "@graphql-yoga/subscription";
import type { Redis as SingleRedis } from "ioredis";
import { isCluster, type Cluster, type Redis } from "./redis.js";

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
 * test runs can share one Redis. A topic with an id is the channel `<prefix><TOPIC>:{<id>}`:
 * the id is a hash tag, so on a Redis Cluster a concert's QUEUE_CHANGED channel lives in the
 * slot of that concert's queue keys. There the channels are sharded (SPUBLISH / SSUBSCRIBE,
 * Redis 7; ioredis >= 5.6 with `shardedSubscribers`): a message goes to the one shard that owns
 * the channel's slot instead of being broadcast over the cluster bus to every node.
 */
export function createAppPubSub<T extends TopicMap>(
  publishClient: Redis,
  subscribeClient: Redis,
  prefix: string,
  onError: (error: unknown, what: string) => void = () => undefined,
): AppPubSub<T> & { raw: PubSub<TopicMap> } {
  const eventTarget =
    isCluster(publishClient) && isCluster(subscribeClient)
      ? createShardedEventTarget(publishClient, subscribeClient, onError)
      : createRedisEventTarget({
          publishClient: guardedPublisher(publishClient as SingleRedis, onError) as never,
          subscribeClient: guardedSubscriber(subscribeClient as SingleRedis, onError) as never,
        });
  const raw = createPubSub<TopicMap>({ eventTarget: eventTarget as never });
  const tag = (id: unknown) => `{${String(id)}}`;
  return {
    raw,
    publish(topic, ...rest) {
      (raw.publish as (t: string, ...a: unknown[]) => void)(
        prefix + topic,
        ...(rest.length === 2 ? [tag(rest[0]), rest[1]] : rest),
      );
    },
    subscribe(topic, ...id) {
      return (raw.subscribe as (t: string, ...a: unknown[]) => never)(prefix + topic, ...id.map(tag));
    },
  };
}

type Listener = (event: CustomEvent) => void;

/**
 * The event target of @graphql-yoga/redis-event-target on sharded pubsub: one SSUBSCRIBE per
 * channel while it has a local listener, SPUBLISH to publish, payloads as JSON.
 */
function createShardedEventTarget(
  publishClient: Cluster,
  subscribeClient: Cluster,
  failed: (error: unknown, what: string) => void,
) {
  const listeners = new Map<string, Set<Listener>>();
  subscribeClient.on("smessage", (channel: string, message: string) => {
    const set = listeners.get(channel);
    if (!set) return;
    const event = new CustomEvent(channel, { detail: message === "" ? null : JSON.parse(message) });
    for (const listener of set) listener(event);
  });
  const callbackOf = (l: Listener | { handleEvent: Listener }) => ("handleEvent" in l ? l.handleEvent : l);
  return {
    addEventListener(topic: string, listener: Listener | { handleEvent: Listener } | null) {
      if (!listener) return;
      let set = listeners.get(topic);
      if (!set) {
        set = new Set();
        listeners.set(topic, set);
        subscribeClient.ssubscribe(topic).catch((e: unknown) => failed(e, "SSUBSCRIBE"));
      }
      set.add(callbackOf(listener));
    },
    removeEventListener(topic: string, listener: Listener | { handleEvent: Listener } | null) {
      const set = listeners.get(topic);
      if (!listener || !set) return;
      set.delete(callbackOf(listener));
      if (set.size > 0) return;
      listeners.delete(topic);
      subscribeClient.sunsubscribe(topic).catch((e: unknown) => failed(e, "SUNSUBSCRIBE"));
    },
    dispatchEvent(event: CustomEvent) {
      publishClient
        .spublish(event.type, event.detail === undefined ? "" : JSON.stringify(event.detail))
        .catch((e: unknown) => failed(e, "SPUBLISH"));
      return true;
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
function guardedPublisher(client: SingleRedis, onError: (error: unknown, what: string) => void): Redis {
  return {
    publish: (channel: string, message: string) =>
      client.publish(channel, message).catch((error: unknown) => {
        onError(error, `publish ${channel}`);
        return 0;
      }),
  } as unknown as SingleRedis;
}

function guardedSubscriber(client: SingleRedis, onError: (error: unknown, what: string) => void): Redis {
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
  } as unknown as SingleRedis;
}
