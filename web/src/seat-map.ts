// The 50 seats of one date as buttons, kept live by `seatUpdates`. Subscribes before it loads the
// snapshot and replays what arrived meanwhile, so no change falls between the two.
import { gql, Q, type Seat, type SeatChange, type SeatStatus } from "./api.js";
import { formatWon, h } from "./dom.js";
import type { ApiError } from "./errors.js";
import type { Live } from "./live.js";

type Shown = SeatStatus | "MINE";

export const STATUS_TEXT: Record<Shown, string> = {
  FREE: "free",
  HELD: "held",
  SOLD: "sold",
  MINE: "held by you",
};

export interface SeatMapOptions {
  token: string;
  live: Live;
  /** The seat number the user holds on this date, if any. */
  mine(dateId: string): number | undefined;
  onPick(seatNumber: number): void;
  /** After every change: the number of free seats now. */
  onCount(dateId: string, free: number): void;
  onError(error: ApiError): void;
}

export class SeatMap {
  readonly el = h("div", { class: "seat-map", id: "seat-map", role: "group", "aria-label": "Seats" });
  private dateId: string | undefined;
  private seats = new Map<number, Seat>();
  private stopUpdates: (() => void) | undefined;

  constructor(private readonly options: SeatMapOptions) {}

  async show(dateId: string): Promise<void> {
    this.stop();
    this.dateId = dateId;
    let buffer: SeatChange[] | undefined = [];
    this.stopUpdates = this.options.live.subscribe<SeatChange>(
      Q.seatUpdates,
      { concertDateId: dateId },
      {
        next: (change) => (buffer ? buffer.push(change) : this.apply(change)),
        error: (error) => {
          // After payment the pass is spent and the server ends the stream: nothing to tell.
          if (error.code !== "QUEUE_TOKEN_EXPIRED") this.options.onError(error);
        },
        complete: () => undefined,
      },
    );
    const { seatMap } = await gql<{ seatMap: Seat[] }>(
      Q.seatMap,
      { concertDateId: dateId },
      this.options.token,
    );
    if (this.dateId !== dateId) return; // another date was picked meanwhile
    this.seats = new Map(seatMap.map((s) => [s.number, s]));
    const pending = buffer;
    buffer = undefined;
    for (const change of pending) this.apply(change);
    this.el.replaceChildren(
      ...[...this.seats.keys()]
        .sort((a, b) => a - b)
        .map((n) =>
          h("button", {
            type: "button",
            class: "seat",
            "data-seat": n,
            onclick: () => this.options.onPick(n),
          }),
        ),
    );
    this.renderAll();
  }

  /** Reloads the current date (after a refusal that means the map was out of date). */
  async refresh(): Promise<void> {
    if (this.dateId) await this.show(this.dateId);
  }

  /** Sets a seat's state after the user's own action, before the push arrives. */
  set(seatNumber: number, status: SeatStatus): void {
    const seat = this.seats.get(seatNumber);
    if (seat) seat.status = status;
    this.renderAll();
  }

  stop(): void {
    this.stopUpdates?.();
    this.stopUpdates = undefined;
  }

  private apply(change: SeatChange): void {
    const seat = this.seats.get(change.number);
    if (change.concertDateId !== this.dateId || !seat) return;
    seat.status = change.status;
    this.renderAll();
  }

  /** Fifty buttons: re-rendering them all is cheaper than tracking which one the user holds. */
  renderAll(): void {
    const dateId = this.dateId;
    if (!dateId) return;
    const mine = this.options.mine(dateId);
    let free = 0;
    for (const seat of this.seats.values()) {
      const button = this.el.querySelector<HTMLButtonElement>(`button[data-seat="${seat.number}"]`);
      if (!button) continue;
      const status: Shown = mine === seat.number ? "MINE" : seat.status;
      if (seat.status === "FREE") free++;
      button.textContent = String(seat.number);
      button.dataset["status"] = status;
      button.disabled = status !== "FREE";
      button.setAttribute(
        "aria-label",
        `Seat ${seat.number}, ${formatWon(seat.price)}, ${STATUS_TEXT[status]}`,
      );
      button.title = `${formatWon(seat.price)} · ${STATUS_TEXT[status]}`;
    }
    this.options.onCount(dateId, free);
  }
}

export function seatLegend(): HTMLElement {
  return h(
    "ul",
    { class: "legend", "aria-label": "Seat colours" },
    ...(["FREE", "HELD", "SOLD", "MINE"] as const).map((s) =>
      h("li", {}, h("span", { class: "swatch", "data-status": s, "aria-hidden": "true" }), STATUS_TEXT[s]),
    ),
  );
}
