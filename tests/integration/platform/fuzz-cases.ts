// fast-check arbitraries for the bad-input property test: hostile values of every kind, and
// one case generator per operation of docs/api.md. Each generator is "neutralised" so that no case
// can be a legitimate state change (e.g. a valid charge): the property can then demand that
// the state after the run equals the state before it.
import { createHmac } from "node:crypto";
import fc from "fast-check";

/** The live objects a fuzz run points at (created in the test's setup). */
export interface FuzzWorld {
  users: { id: string; key: string }[]; // A, B, E
  concerts: string[]; // c1, c2, c3
  dates: string[]; // d1a (A holds a seat), d1past (yesterday), d2a, d3a
  reservations: string[]; // heldByA, cancelledByA
  tokens: {
    a1: string; // A, concert 1, ACTIVE (holds a seat on d1a)
    a2: string; // A, concert 2, ACTIVE
    b1: string; // B, concert 1, WAITING
    e2: string; // E, concert 2, EXPIRED (left)
  };
  maxCharge: number;
}

export interface FuzzCase {
  op: string;
  query: string;
  variables: Record<string, unknown>;
  authorization?: string;
}

const sqlAndLua = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '" OR ""="',
  "1; SELECT SLEEP(5)",
  "\\'",
  "%",
  "_",
  "`id`",
  "]] redis.call('FLUSHALL') --[[",
  "redis.call('del', KEYS[1])",
  "*",
  "\r\nFLUSHALL\r\n",
  "{c}",
  "$(reboot)",
  "${jndi:ldap://x/a}",
  "{{7*7}}",
  "../../etc/passwd",
  "\u0000",
  "\ud800",
  "😀".repeat(64),
  "ﷺ".repeat(40),
  "a".repeat(5000),
  "NaN",
  "Infinity",
  "-0",
  "1e309",
  "0x1F",
  " 7",
  "00000000-0000-0000-0000-000000000000",
  "ffffffff-ffff-7fff-bfff-ffffffffffff",
];

export const hostileString = fc.oneof(
  fc.constantFrom(...sqlAndLua),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 20 }),
  fc.uuid(),
);

/** Values sent where the schema wants an Int: numbers of every size and JSON values of other types. */
export const hostileNumber = fc.oneof(
  fc.integer(),
  fc.integer({ min: -100, max: 100 }),
  fc.constantFrom(0, -1, 51, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, Number.MAX_SAFE_INTEGER, 1e308, -1e308),
  fc.double({ noNaN: false }),
  fc.constantFrom("5", "1e3", "", "12abc", null, true, false),
  fc.constant([]),
  fc.constant({}),
  fc.array(fc.integer(), { maxLength: 3 }),
);

/** Any JSON a client could send for a String/ID variable. */
const hostileScalar = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  { weight: 1, arbitrary: hostileNumber },
);

/** `kid.payload` of a token, signed again with another secret. */
function resign(token: string, secret: string): string {
  const signed = token.split(".").slice(0, 2).join(".");
  return `${signed}.${createHmac("sha256", secret).update(signed).digest("base64url")}`;
}

/** A token with other claims (another user, concert or a huge seq) signed with a wrong secret. */
function forgedClaims(token: string, change: Record<string, unknown>): string {
  const [kid, body] = token.split(".") as [string, string];
  const claims = { ...(JSON.parse(Buffer.from(body, "base64url").toString()) as object), ...change };
  const signed = `${kid}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return `${signed}.${createHmac("sha256", "not-the-server-secret-0123").update(signed).digest("base64url")}`;
}

/** The Authorization header: valid tokens of the world, and every way to break one. */
export function authorization(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  const valid = Object.values(world.tokens);
  const validToken = fc.constantFrom(...valid);
  const broken = fc.oneof(
    fc.tuple(validToken, fc.nat()).map(([t, n]) => t.slice(0, n % t.length)),
    // Letters only: "=" or a space after the signature would still verify (padding and
    // whitespace are ignored), which is harmless but would make this case a valid token.
    fc.tuple(validToken, fc.stringMatching(/^[A-Za-z0-9_-]{1,3}$/)).map(([t, s]) => t + s),
    validToken.map((t) => resign(t, "another-secret-0123456789")),
    fc
      .tuple(validToken, validToken)
      .map(([x, y]) => `${x.split(".").slice(0, 2).join(".")}.${y.split(".")[2]}`),
    fc
      .tuple(
        validToken,
        fc.constantFrom<Record<string, unknown>>(
          { u: world.users[1]!.id },
          { c: world.concerts[2] },
          { s: 0 },
          { s: 2 ** 60 },
          { i: 0 },
          { v: 2 },
        ),
      )
      .map(([t, c]) => forgedClaims(t, c)),
    fc.string({ maxLength: 60 }),
  );
  const printable = (s: string) => s.replace(/[^\x20-\x7e]/g, "x");
  return fc.oneof(
    { weight: 4, arbitrary: validToken.map((t) => `Bearer ${t}`) },
    { weight: 4, arbitrary: broken.map((t) => `Bearer ${printable(t)}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
    {
      weight: 1,
      arbitrary: fc.constantFrom("Bearer", "Basic dXNlcjpwYXNz", "Bearer a b", "bearer  ", "Token x"),
    },
  );
}

const TICKET = "token userId concertId status position estimatedWaitSeconds activeUntil";
const RESERVATION = "id seatNumber concertDateId concertId status price expiresAt createdAt";

/** One case generator per HTTP operation of docs/api.md. */
export function operationCases(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const { tokens, users, concerts, dates, reservations } = world;
  const auth = authorization(world);
  const pick = <T>(real: T[]) =>
    fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...real) }, { weight: 2, arbitrary: hostileScalar });
  const concertId = pick(concerts);
  const dateId = pick(dates);
  const reservationId = pick(reservations);
  const key = fc.option(hostileString, { nil: undefined });
  const bearer = (t: string) => `Bearer ${t}`;
  const live = new Set([
    `${users[0]!.id}|${concerts[0]}`,
    `${users[0]!.id}|${concerts[1]}`,
    `${users[1]!.id}|${concerts[0]}`,
  ]);

  const c = (
    op: string,
    query: string,
    variables: Record<string, unknown>,
    authorization?: string,
  ): FuzzCase => ({
    op,
    query,
    variables,
    ...(authorization === undefined ? {} : { authorization }),
  });

  return fc.oneof(
    fc
      .record({ name: fc.option(hostileScalar, { nil: undefined }) })
      .map(({ name }) =>
        c("signUp", "mutation($name: String) { signUp(name: $name) { userId accessKey } }", { name }),
      ),
    fc
      .record({
        user: fc.oneof(fc.constantFrom(...users), fc.record({ id: hostileScalar, key: hostileScalar })),
        accessKey: fc.oneof(fc.constant(null), hostileScalar, fc.constantFrom(...users.map((u) => u.key))),
        cut: fc.nat(40),
        concertId,
        auth,
      })
      .map(({ user, accessKey, cut, concertId, auth }) => {
        let key = accessKey ?? user.key;
        if (typeof key === "string" && cut % 3 === 0) key = key.slice(0, cut);
        // Entering a queue for real (a valid key and a pair without a live ticket) is a state change.
        const valid = users.some((u) => u.id === user.id && u.key === key);
        const cid =
          valid && !live.has(`${String(user.id)}|${String(concertId)}`) ? `${String(concertId)}x` : concertId;
        return c(
          "issueQueueToken",
          `mutation($userId: ID!, $accessKey: String!, $concertId: ID!) { issueQueueToken(userId: $userId, accessKey: $accessKey, concertId: $concertId) { ${TICKET} } }`,
          { userId: user.id, accessKey: key, concertId: cid },
          auth,
        );
      }),
    auth.map((a) => c("queueStatus", `{ queueStatus { ${TICKET} } }`, {}, a)),
    // Leaving with a live token is a real change: those become the already-expired token.
    auth.map((a) =>
      c(
        "leaveQueue",
        `mutation { leaveQueue { ${TICKET} } }`,
        {},
        a && [tokens.a1, tokens.a2, tokens.b1].some((t) => a === bearer(t)) ? bearer(tokens.e2) : a,
      ),
    ),
    auth.map((a) => c("concerts", "{ concerts { id title artist venue } }", {}, a)),
    fc
      .record({ concertId, from: fc.option(hostileScalar, { nil: undefined }), auth })
      .map(({ concertId, from, auth }) =>
        c(
          "availableDates",
          "query($c: ID!, $from: Date) { availableDates(concertId: $c, from: $from) { id date availableSeatCount } }",
          { c: concertId, from },
          auth,
        ),
      ),
    fc
      .record({ dateId, auth })
      .map(({ dateId, auth }) =>
        c(
          "availableSeats",
          "query($d: ID!) { availableSeats(concertDateId: $d) { number price } }",
          { d: dateId },
          auth,
        ),
      ),
    fc
      .record({ dateId, auth })
      .map(({ dateId, auth }) =>
        c(
          "seatMap",
          "query($d: ID!) { seatMap(concertDateId: $d) { number price status } }",
          { d: dateId },
          auth,
        ),
      ),
    fc
      .record({ dateId, seat: fc.oneof(hostileNumber, fc.integer({ min: 1, max: 50 })), auth })
      .map(({ dateId, seat, auth }) => {
        // A's concert-2 token on a concert-2 date with a real seat would hold it: send it to d1a instead (FORBIDDEN).
        const d = auth === bearer(tokens.a2) && dates.slice(2).includes(String(dateId)) ? dates[0] : dateId;
        return c(
          "reserveSeat",
          `mutation($d: ID!, $n: Int!) { reserveSeat(concertDateId: $d, seatNumber: $n) { ${RESERVATION} } }`,
          { d, n: seat },
          auth,
        );
      }),
    fc.record({ reservationId, auth }).map(({ reservationId, auth }) => {
      // The holder cancelling its live hold is a real change: ask as B instead (NOT_FOUND).
      const ownHold =
        reservationId === reservations[0] && (auth === bearer(tokens.a1) || auth === bearer(tokens.a2));
      return c(
        "cancelReservation",
        `mutation($r: ID!) { cancelReservation(reservationId: $r) { ${RESERVATION} } }`,
        { r: reservationId },
        ownHold ? bearer(tokens.b1) : auth,
      );
    }),
    auth.map((a) => c("myReservations", `{ myReservations { ${RESERVATION} } }`, {}, a)),
    auth.map((a) => c("balance", "{ balance { userId balance } }", {}, a)),
    fc
      .record({ amount: fc.oneof(hostileNumber, fc.integer({ min: 1, max: world.maxCharge })), key, auth })
      .map(({ amount, key, auth }) => {
        // A valid amount would really charge: make it its negative (BAD_USER_INPUT).
        const valid =
          typeof amount === "number" && Number.isInteger(amount) && amount >= 1 && amount <= world.maxCharge;
        return c(
          "chargeBalance",
          "mutation($a: Int!, $k: String) { chargeBalance(amount: $a, idempotencyKey: $k) { userId balance } }",
          { a: valid ? -amount : amount, k: key },
          auth,
        );
      }),
    // A's balance is 0, so paying can never succeed.
    fc
      .record({ reservationId, key, auth })
      .map(({ reservationId, key, auth }) =>
        c(
          "payReservation",
          `mutation($r: ID!, $k: String) { payReservation(reservationId: $r, idempotencyKey: $k) { id amount paidAt reservation { ${RESERVATION} } } }`,
          { r: reservationId, k: key },
          auth,
        ),
      ),
    auth.map((a) => c("myPayments", `{ myPayments { id amount paidAt reservation { id status } } }`, {}, a)),
  );
}

/** Subscription cases (graphql-ws): the token goes in the `token` argument. */
export function subscriptionCases(world: FuzzWorld): fc.Arbitrary<FuzzCase> {
  const token = authorization(world).map((a) => (a?.startsWith("Bearer ") ? a.slice(7) : a));
  return fc.oneof(
    token.map((t) => ({
      op: "queueUpdates",
      query: `subscription($t: String) { queueUpdates(token: $t) { status position } }`,
      variables: { t },
    })),
    fc.record({ t: token, d: fc.oneof(fc.constantFrom(...world.dates), hostileScalar) }).map(({ t, d }) => ({
      op: "seatUpdates",
      query:
        "subscription($t: String, $d: ID!) { seatUpdates(concertDateId: $d, token: $t) { number status } }",
      variables: { t, d },
    })),
  );
}
