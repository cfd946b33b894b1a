// Rolling a new TOKEN_SECRETS entry across two real server processes, one restart at a time,
// as README "Rotating the token secret" tells an operator: add the new secret second on every
// instance, then move it first on every instance, then drop the old one. At every moment of
// the roll a token issued by either instance works on both; nobody loses their place.
import { afterAll, describe, expect, it } from "vitest";
import { issue, queueStatus, signUp, STATUS, type TestUser } from "../helpers/queue-helpers.js";
import { startServerProcess, type ServerProcess } from "../helpers/server-processes.js";
import { createTestEnv } from "../helpers/test-env.js";

const OLD = "old-rotation-secret-0123456789";
const NEW = "new-rotation-secret-0123456789";
const NEWER = "newer-rotation-secret-0123456789";

const env = createTestEnv({ QUEUE_MAX_ACTIVE: "1", QUEUE_IDLE_SECONDS: "3600" });
const running: ServerProcess[] = [];

async function instance(secrets: string[]): Promise<ServerProcess> {
  const server = await startServerProcess({ ...env.env, TOKEN_SECRETS: secrets.join(",") });
  running.push(server);
  return server;
}

async function restart(server: ServerProcess, secrets: string[]): Promise<ServerProcess> {
  await server.stop();
  return instance(secrets);
}

const keyIdOf = (token: string) => token.split(".")[0];

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await env.cleanup();
});

describe("rotating the token secret across instances", () => {
  it("keeps every token valid on both instances through the roll, and refuses the old secret's tokens once dropped", async () => {
    let a = await instance([OLD]);
    let b = await instance([OLD]);
    const concertId = (await a.client.data<{ concerts: { id: string }[] }>("{ concerts { id } }"))
      .concerts[0]!.id;
    const [first, second]: TestUser[] = [await signUp(a.client), await signUp(b.client)];
    const firstTicket = await issue(a.client, first!, concertId);
    const secondTicket = await issue(b.client, second!, concertId);
    expect(secondTicket.status).toBe("WAITING");
    const place = secondTicket.position;
    const byOld = secondTicket.token;

    /** Both instances answer a token from either, and the waiting user keeps the place. */
    const crossCheck = async (what: string) => {
      const fromA = await issue(a.client, second!, concertId);
      const fromB = await issue(b.client, second!, concertId);
      for (const server of [a, b]) {
        for (const [token, userId] of [
          [fromA.token, second!.userId],
          [fromB.token, second!.userId],
          [firstTicket.token, first!.userId],
        ] as const) {
          expect((await queueStatus(server.client, token)).userId, what).toBe(userId);
        }
        expect((await queueStatus(server.client, fromA.token)).position, what).toBe(place);
      }
      return { fromA, fromB };
    };

    // 1. The new secret goes second, one instance at a time: both still sign with the old.
    a = await restart(a, [OLD, NEW]);
    await crossCheck("A=[old,new] B=[old]");
    b = await restart(b, [OLD, NEW]);
    // 2. Then first, one instance at a time: A signs with the new one, which B already knows.
    a = await restart(a, [NEW, OLD]);
    const mid = await crossCheck("A=[new,old] B=[old,new]");
    expect(keyIdOf(mid.fromA.token)).not.toBe(keyIdOf(mid.fromB.token));
    b = await restart(b, [NEW, OLD]);
    await crossCheck("A=[new,old] B=[new,old]");
    expect(await queueStatus(a.client, byOld)).toMatchObject({ position: place });

    // 3. The old one is dropped, one instance at a time: its tokens stop working there, and the
    // user gets the same place back from issueQueueToken, signed with the new secret.
    a = await restart(a, [NEW]);
    expect(await a.client.errorCode(STATUS, {}, byOld)).toBe("UNAUTHENTICATED");
    expect((await queueStatus(b.client, byOld)).position).toBe(place);
    const reissued = await issue(a.client, second!, concertId);
    expect(reissued.position).toBe(place);
    expect((await queueStatus(b.client, reissued.token)).position).toBe(place);
    b = await restart(b, [NEW]);
    expect(await b.client.errorCode(STATUS, {}, byOld)).toBe("UNAUTHENTICATED");
    expect((await queueStatus(b.client, reissued.token)).position).toBe(place);

    // The wrong order: a secret put first on B before A knows it gives tokens A refuses.
    b = await restart(b, [NEWER, NEW]);
    const early = await issue(b.client, second!, concertId);
    expect(await a.client.errorCode(STATUS, {}, early.token)).toBe("UNAUTHENTICATED");
    expect((await queueStatus(b.client, early.token)).position).toBe(place);
  });
});
