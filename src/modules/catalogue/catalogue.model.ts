// What the catalogue writes: concerts, their dates with 50 priced seats, and a sale's opening.
import type { ConcertView } from "../concert/concert.model.js";

export type { ConcertView };

export const SEATS_PER_DATE = 50;

export interface NewConcert {
  title: string;
  artist: string;
  venue: string;
  saleOpensAt: Date | null;
}

/** Seats fromSeat..toSeat (inclusive) cost `price` KRW. */
export interface SeatPriceRange {
  fromSeat: number;
  toSeat: number;
  price: number;
}

export interface NewConcertDate {
  concertId: string;
  /** The calendar day (UTC midnight). */
  date: Date;
  /** When the doors open. */
  startsAt: Date;
  /** The price of seat n at index n-1. */
  prices: number[];
}

export interface CreatedConcertDate {
  id: string;
  concertId: string;
  date: Date;
  startsAt: Date;
  availableSeatCount: number;
}

/** The fixed seed of a scheduled sale's draw and its published SHA-256 (both lowercase hex). */
export interface DrawCommitment {
  seed: string;
  commitment: string;
}

/** Where a concert's sale stands, for telling why a scheduleSale was refused. */
export interface SaleState {
  saleOpensAt: Date | null;
  drawnAt: Date | null;
}
