// What the browser keeps between visits: the account and, per concert, the queue token, so a
// reload (or a closed tab) comes back to the same place in line.
export interface Account {
  userId: string;
  accessKey: string;
}
export interface SavedTicket {
  token: string;
  /** The first position seen with this token: the start of the progress bar. */
  firstPosition: number | null;
}
interface Saved {
  account?: Account;
  concertId?: string;
  tickets: Record<string, SavedTicket>;
}

const KEY = "waitingRoom.v1";

function load(): Saved {
  try {
    const raw = localStorage.getItem(KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<Saved>) : {};
    return { ...parsed, tickets: parsed.tickets ?? {} };
  } catch (error) {
    console.warn("ignoring unreadable saved state", error);
    return { tickets: {} };
  }
}

function save(update: (s: Saved) => void): void {
  const s = load();
  update(s);
  localStorage.setItem(KEY, JSON.stringify(s));
}

export const storage = {
  account: (): Account | undefined => load().account,
  setAccount: (account: Account) =>
    save((s) => {
      // Tickets belong to the previous user; keeping them would resume someone else's place.
      if (s.account?.userId !== account.userId) s.tickets = {};
      s.account = account;
    }),
  signOut: () => localStorage.removeItem(KEY),
  concertId: (): string | undefined => load().concertId,
  setConcertId: (concertId: string | undefined) =>
    save((s) => {
      s.concertId = concertId;
    }),
  ticket: (concertId: string): SavedTicket | undefined => load().tickets[concertId],
  setTicket: (concertId: string, ticket: SavedTicket | undefined) =>
    save((s) => {
      if (ticket) s.tickets[concertId] = ticket;
      else delete s.tickets[concertId];
    }),
};
