// The counting rule of a participatory budget, the same for both ballots (ADR 0135): projects in
// order of votes (online plus paper), ties broken by the lower cost, then the earlier submission;
// each is funded if what is left of the envelope covers it, otherwise skipped for the next ones.
export interface Tally {
  id: string;
  title: string;
  cost: number;
  createdAt: Date;
  online: number;
  paper: number;
}

export interface CountedProject extends Tally {
  votes: number;
  rank: number;
  funded: boolean;
  /** What was left of the envelope when its turn came. */
  remainingBefore: number;
}

export function byRule(a: Tally, b: Tally): number {
  return (
    b.online + b.paper - (a.online + a.paper) ||
    a.cost - b.cost ||
    a.createdAt.getTime() - b.createdAt.getTime() ||
    a.id.localeCompare(b.id)
  );
}

export function countWinners(envelope: number, tallies: readonly Tally[]): CountedProject[] {
  let left = envelope;
  return [...tallies].sort(byRule).map((t, i) => {
    const votes = t.online + t.paper;
    const funded = votes > 0 && t.cost <= left;
    const counted = { ...t, votes, rank: i + 1, funded, remainingBefore: left };
    if (funded) left -= t.cost;
    return counted;
  });
}
