/**
 * A decision port that answers from stored rounds: how a run resumes after a reload (or a pause) and how an imported
 * bundle replays, with zero calls. Rounds not yet stored go to the live port. Because the engine is deterministic, the
 * replayed rounds rebuild exactly the state the stored run had, and the live port takes over from there. It knows no
 * protocol: stored outcomes are returned as they were recorded.
 */
import { SpilloverError } from '../engine/errors';
import type { DecisionPort, FinalBatch, PortContext, RoundBatch } from '../engine/ports';
import type { DecisionOutcome, FinalOutcome } from '../engine/protocol';
import type { FinalRecord, RoundRecord } from '../engine/types';

type StoredRound = Pick<RoundRecord, 'condition' | 'round' | 'active' | 'decisions'>;
type StoredFinal = Pick<FinalRecord, 'condition' | 'outcomes'>;

export class ReplayPort implements DecisionPort {
  readonly kind: string;
  private readonly rounds = new Map<string, StoredRound>();
  private readonly finals = new Map<string, StoredFinal>();
  /** Rounds answered from storage so far (for progress and tests). */
  replayed = 0;

  constructor(rounds: Iterable<StoredRound>, finals: Iterable<StoredFinal>, private readonly live: DecisionPort | null) {
    for (const r of rounds) this.rounds.set(`${r.condition}\u0000${r.round}`, r);
    for (const e of finals) this.finals.set(e.condition, e);
    this.kind = live ? live.kind : 'replay';
  }

  /** Whether a round is answered from storage (the worker skips writing those again). */
  has(condition: string, round: number): boolean {
    return this.rounds.has(`${condition}\u0000${round}`);
  }

  hasFinal(condition: string): boolean {
    return this.finals.has(condition);
  }

  async init(ctx: PortContext): Promise<void> {
    await this.live?.init(ctx);
  }

  async decideRound(batch: RoundBatch, signal?: AbortSignal): Promise<DecisionOutcome[]> {
    const stored = this.rounds.get(`${batch.condition}\u0000${batch.round}`);
    if (!stored) return this.requireLive(`round ${batch.round} of ${batch.condition}`).decideRound(batch, signal);
    const ids = batch.requests.map((r) => r.agentId);
    if (ids.length !== stored.active.length || ids.some((id, i) => id !== stored.active[i])) {
      throw new SpilloverError(
        'BundleError',
        `replay: round ${batch.round} of ${batch.condition} has different active agents than the stored run (the configuration, seed or data differ); start a new run instead of resuming this one`,
      );
    }
    this.replayed++;
    // Stored outcomes keep their accounting, but a replay makes no calls.
    return stored.decisions.map((d) => ({ ...d, meta: undefined }));
  }

  async decideFinal(batch: FinalBatch, signal?: AbortSignal): Promise<FinalOutcome[]> {
    const stored = this.finals.get(batch.condition);
    if (!stored) return this.requireLive(`the end-of-run question of ${batch.condition}`).decideFinal(batch, signal);
    if (stored.outcomes.length !== batch.requests.length) {
      throw new SpilloverError('BundleError', `replay: the end of ${batch.condition} has ${stored.outcomes.length} stored answers for ${batch.requests.length} agents asked; start a new run instead of resuming this one`);
    }
    this.replayed++;
    return stored.outcomes.map((o) => ({ ...o, meta: undefined }));
  }

  private requireLive(what: string): DecisionPort {
    if (!this.live) {
      throw new SpilloverError('BundleError', `replay: ${what} is not in the stored run and no agents were given to continue it; resume with offline or LLM agents`);
    }
    return this.live;
  }
}
