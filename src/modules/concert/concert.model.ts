// What the concert feature reads: concerts, dates with their free-seat count, and seats.

export type SeatStatus = "FREE" | "HELD" | "SOLD";

export interface ConcertView {
  id: string;
  title: string;
  artist: string;
  venue: string;
  /** When the sale opens; null: on sale now. */
  saleOpensAt: Date | null;
}

export interface ConcertDateRef {
  id: string;
  concertId: string;
  /** The show's calendar day (UTC midnight of that day in TZ_BUSINESS terms). */
  date: Date;
}

export interface AvailableDateView {
  id: string;
  concertId: string;
  date: Date;
  startsAt: Date;
  availableSeatCount: number;
}

export interface SeatView {
  number: number;
  price: number;
}

export interface SeatStateView extends SeatView {
  status: SeatStatus;
}
