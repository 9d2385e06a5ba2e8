/**
 * Proof of delivery for one receiver: every stream the bench sends carries consecutive
 * sequence numbers, and a receiver must see exactly `first, first + 1, …` with no gap, no
 * duplicate and no step back (RELIABILITY §3b "Nothing lost").
 *
 * @module
 */

/** What one or many receivers saw of a sequence-numbered stream. */
export interface SequenceCounts {
  /** Arrivals, duplicates included. */
  received: number;
  /** Arrivals whose number was below the next expected one (a duplicate or a late packet). */
  reordered: number;
  /** Numbers skipped by arrivals above the next expected one. */
  skipped: number;
}

/** Tracks one receiver's stream. */
export class SequenceTracker {
  /** The next number expected, or -1 before the first arrival of an open-start stream. */
  next: number;
  received = 0;
  reordered = 0;
  skipped = 0;

  /**
   * @param first the first number expected; omit for a receiver that joins a running
   * stream (soak churn), which adopts the first number it sees.
   */
  constructor(first?: number) {
    this.next = first ?? -1;
  }

  /** Records one arrival. */
  see(seq: number): void {
    this.received++;
    if (this.next === -1 || seq === this.next) {
      this.next = seq + 1;
    } else if (seq > this.next) {
      this.skipped += seq - this.next;
      this.next = seq + 1;
    } else {
      this.reordered++;
    }
  }

  /** Starts over, expecting `first` next. */
  reset(first?: number): void {
    this.next = first ?? -1;
    this.received = 0;
    this.reordered = 0;
    this.skipped = 0;
  }
}

/** The totals of many receivers and what was lost against `expectedEach` per receiver. */
export interface SequenceReport extends SequenceCounts {
  receivers: number;
  expected: number;
  /** Expected arrivals that never came: skipped ones plus those missing at the end. */
  lost: number;
  /** Receivers that saw everything, in order. */
  complete: number;
}

/**
 * Sums receivers that each expected `expectedEach` numbers starting at their tracker's
 * first. A receiver's loss is what it skipped plus what is still missing at its end.
 */
export function sumSequences(
  trackers: readonly SequenceTracker[],
  expectedEach: number,
  firstEach: number,
): SequenceReport {
  const report: SequenceReport = {
    receivers: trackers.length,
    expected: trackers.length * expectedEach,
    received: 0,
    reordered: 0,
    skipped: 0,
    lost: 0,
    complete: 0,
  };
  const end = firstEach + expectedEach;
  for (const t of trackers) {
    report.received += t.received;
    report.reordered += t.reordered;
    report.skipped += t.skipped;
    const reached = t.next === -1 ? firstEach : Math.min(t.next, end);
    const missingAtEnd = end - reached;
    report.lost += t.skipped + missingAtEnd;
    if (t.skipped === 0 && t.reordered === 0 && missingAtEnd === 0) report.complete++;
  }
  return report;
}
