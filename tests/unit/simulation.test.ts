/**
 * The generic round loop (`runExperiment`) with SocioPol: determinism by seed, the activation schedule, the shared
 * warm-up forked into every condition, record order, and replay of stored runs.
 */
import { describe, expect, it } from 'vitest';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { ReplayPort } from '../../src/agents/replay';
import { runExperiment, roundsTotal, WARMUP } from '../../src/engine/simulation';
import type { DecisionPort } from '../../src/engine/ports';
import { conditionViews, RunRecord } from '../../src/engine/record';
import type { RoundRecord } from '../../src/engine/types';
import { sociopol } from '../../src/protocols/sociopol';
import type { DecisionOutcome, ElectionRecord, RoundBatch, VoteBatch, VoteOutcome } from '../../src/protocols/sociopol/types';
import { following } from '../../src/engine/network';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const N = 300;

async function run(seed: number, port: DecisionPort = new OfflinePort(), n = N) {
  const config = tinyConfig(n);
  const network = tinyNetwork(n, 7);
  const personas = tinyPersonas(n, 7);
  const rounds: RoundRecord[] = [];
  const elections: ElectionRecord[] = [];
  const record = new RunRecord(n, config.firstRound, config.lastRound, config.conditions.map((c) => c.name), sociopol.columns);
  const result = await runExperiment(
    { protocol: sociopol, config, seed, agents: personas, network, port },
    {
      onRound: (r) => {
        rounds.push(r);
        record.addRound(r);
      },
      onFinal: (e) => {
        elections.push(e as ElectionRecord);
        record.addFinal(e.condition, e.values);
      },
    },
  );
  // The wide tables of each condition, as the CSV writers and the analysis see them.
  const tables = conditionViews(record, config, personas, seed).map((v) => ({ name: v.name, rounds: v.rounds, stated: v.column('stated'), treated: v.treated, votes: v.final }));
  return { config, network, personas, rounds, elections, result, tables };
}

function fingerprint(tables: Awaited<ReturnType<typeof run>>['tables']): string {
  return JSON.stringify(tables.map((c) => [c.name, Array.from(c.stated), Array.from(c.treated), Array.from(c.votes ?? [])]));
}

describe('runExperiment', () => {
  it('should give identical records for the same seed and different ones for another seed', async () => {
    const a = await run(1);
    const b = await run(1);
    const c = await run(2);
    expect(fingerprint(a.tables)).toBe(fingerprint(b.tables));
    expect(JSON.stringify(a.rounds.map((r) => r.engagements))).toBe(JSON.stringify(b.rounds.map((r) => r.engagements)));
    expect(fingerprint(a.tables)).not.toBe(fingerprint(c.tables));
  });

  it('should let nobody act in the seed-post round and start everyone within the next five rounds, as published', async () => {
    const { rounds, config } = await run(3);
    const warm = rounds.filter((r) => r.condition === WARMUP);
    expect(warm[0].round).toBe(config.firstRound);
    expect(warm[0].active.length).toBe(0);
    const started = new Set<number>();
    for (const r of warm.slice(1, 6)) for (const a of r.active) started.add(a);
    expect(started.size).toBe(N);
  });

  it('should replay a run stored before that change (no firstActiveAfter) with its agents acting in the first round', async () => {
    const config = { ...tinyConfig(N) };
    delete (config as { firstActiveAfter?: number }).firstActiveAfter;
    const rounds: RoundRecord[] = [];
    await runExperiment(
      { protocol: sociopol, config, seed: 3, agents: tinyPersonas(N, 7), network: tinyNetwork(N, 7), port: new OfflinePort() },
      { onRound: (r) => void rounds.push(r) },
    );
    expect(rounds[0].round).toBe(config.firstRound);
    expect(rounds[0].active.length).toBeGreaterThan(0);
  });

  it('should emit the warm-up once, then every main round per condition, then one election per condition', async () => {
    const { config, rounds, elections, result } = await run(3);
    const warm = rounds.filter((r) => r.condition === WARMUP).map((r) => r.round);
    expect(warm).toEqual(Array.from({ length: 16 }, (_, i) => i - 15));
    expect(rounds.length + elections.length).toBe(roundsTotal(config));
    expect(result.roundsDone).toBe(roundsTotal(config));
    expect(elections.map((e) => e.condition)).toEqual(config.conditions.map((c) => c.name));
  });

  it('should share the warm-up columns exactly across conditions', async () => {
    const { tables } = await run(4);
    const R = tables[0].rounds.length;
    const warmCols = 16;
    for (const c of tables.slice(1)) {
      for (let a = 0; a < N; a++) {
        for (let k = 0; k < warmCols; k++) expect(c.stated[a * R + k]).toBe(tables[0].stated[a * R + k]);
      }
    }
  });

  it('should treat by the nested schedule and never treat minors', async () => {
    const { tables, personas } = await run(5);
    const R = tables[0].rounds.length;
    const byName = Object.fromEntries(tables.map((c) => [c.name, c]));
    const col = (r: number) => r + 15;
    const adults = personas.filter((p) => p.adult).map((p) => p.id);
    const minors = personas.filter((p) => !p.adult).map((p) => p.id);
    expect(minors.length).toBeGreaterThan(0);
    for (const name of Object.keys(byName)) {
      for (const m of minors) for (let k = 0; k < R; k++) expect(byName[name].treated[m * R + k]).toBe(0);
    }
    for (const a of adults) {
      expect(byName.control.treated[a * R + col(5)]).toBe(0);
      expect(byName.treatment_soc_message.treated[a * R + col(1)]).toBe(1);
      expect(byName.treatment_info_message.treated[a * R + col(30)]).toBe(1);
      expect(byName.treatment_soc_message.treated[a * R + col(0)]).toBe(0);
      // Nested and absorbing: treated in period k implies treated in every later period.
      const exp = byName.experiment_soc_message;
      for (const [early, late] of [[5, 15], [15, 25], [25, 30]]) {
        if (exp.treated[a * R + col(early)]) expect(exp.treated[a * R + col(late)]).toBe(1);
      }
      // Common random numbers: both roll-outs treat the same adults.
      expect(exp.treated[a * R + col(12)]).toBe(byName.experiment_info_message.treated[a * R + col(12)]);
    }
    const share = (r: number) => adults.filter((a) => byName.experiment_soc_message.treated[a * R + col(r)]).length / adults.length;
    expect(share(5)).toBeGreaterThan(0.12);
    expect(share(5)).toBeLessThan(0.28);
    expect(share(25)).toBeGreaterThan(0.72);
    expect(share(25)).toBeLessThan(0.88);
  });

  it('should never record a likelihood or a vote for a minor', async () => {
    const { tables, personas } = await run(6);
    const R = tables[0].rounds.length;
    for (const p of personas.filter((x) => !x.adult)) {
      for (const c of tables) {
        for (let k = 0; k < R; k++) expect(c.stated[p.id * R + k]).toBe(-1);
        expect(c.votes?.[p.id]).toBe(-1);
      }
    }
  });

  it('should show a social message with the likely-voter count and at most six followed likely voters', async () => {
    const seen: Array<{ req: RoundBatch['requests'][number] }> = [];
    const inner = new OfflinePort();
    const spy: DecisionPort = {
      kind: 'spy',
      init: (ctx) => inner.init(ctx),
      decideRound: async (batch) => {
        if (batch.condition === 'treatment_soc_message') for (const req of (batch as RoundBatch).requests) seen.push({ req });
        return inner.decideRound(batch as RoundBatch);
      },
      decideFinal: (batch) => inner.decideFinal(batch as VoteBatch),
    };
    const { network, rounds } = await run(8, spy);
    const social = seen.filter((s) => s.req.vote?.treatment?.kind === 'social');
    expect(social.length).toBeGreaterThan(100);
    for (const { req } of social) {
      const t = req.vote!.treatment!;
      if (t.kind !== 'social') continue;
      expect(t.followedLikely.length).toBeLessThanOrEqual(6);
      const rec = rounds.find((r) => r.condition === 'treatment_soc_message' && r.round === req.round)!;
      expect(t.likelyCount).toBe(rec.scalars.likelyCount);
      expect(t.text).toContain(rec.scalars.likelyCount.toLocaleString('en-US'));
      const followed = followSets(network, rounds, 'treatment_soc_message', req.round)[req.agentId];
      const prev = rounds.find((r) => r.condition === (req.round === 1 ? WARMUP : 'treatment_soc_message') && r.round === req.round - 1)!;
      const eligible = [...followed].filter((f) => prev.columns.likelihood[f] >= 3);
      expect(t.followedLikely.length).toBe(Math.min(6, eligible.length));
      for (const f of t.followedLikely) {
        expect(prev.columns.likelihood[f.id]).toBeGreaterThanOrEqual(3);
        expect(followed.has(f.id)).toBe(true);
      }
    }
  });

  it('should build feeds of at most four unseen posts, never the agent\'s own, followed authors first', async () => {
    const feeds: RoundBatch['requests'] = [];
    const inner = new OfflinePort();
    const spy: DecisionPort = {
      kind: 'spy',
      init: (ctx) => inner.init(ctx),
      decideRound: async (batch) => {
        feeds.push(...(batch as RoundBatch).requests);
        return inner.decideRound(batch as RoundBatch);
      },
      decideFinal: (batch) => inner.decideFinal(batch as VoteBatch),
    };
    await run(9, spy);
    expect(feeds.some((r) => r.feed.length === 4)).toBe(true);
    for (const req of feeds) {
      expect(req.feed.length).toBeLessThanOrEqual(4);
      expect(new Set(req.feed.map((f) => f.postId)).size).toBe(req.feed.length);
      for (const f of req.feed) expect(f.authorId).not.toBe(req.agentId);
      const firstUnfollowed = req.feed.findIndex((f) => !f.followed);
      if (firstUnfollowed >= 0) for (const f of req.feed.slice(firstUnfollowed)) expect(f.followed).toBe(false);
    }
  });

  it('should count an invalid answer and keep the agent\'s previous likelihood', async () => {
    const inner = new OfflinePort();
    let invalidGiven = 0;
    const flaky: DecisionPort = {
      kind: 'flaky',
      init: (ctx) => inner.init(ctx),
      decideRound: async (batch) => {
        const out = await inner.decideRound(batch as RoundBatch);
        return out.map((o, i): DecisionOutcome => {
          if (batch.requests[i].agentId % 10 === 3 && batch.round > 0) {
            invalidGiven++;
            return { ok: false, error: 'unparseable answer' };
          }
          return o;
        });
      },
      decideFinal: (batch) => inner.decideFinal(batch as VoteBatch),
    };
    const { rounds, result, tables } = await run(10, flaky);
    const counted = rounds.reduce((s, r) => s + r.invalidAgents.length, 0);
    expect(counted).toBe(invalidGiven);
    expect(rounds.reduce((s, r) => s + r.llm.invalid, 0)).toBe(invalidGiven);
    expect(result.conditions.reduce((s, c) => s + c.invalidDecisions, 0)).toBe(invalidGiven);
    const R = tables[0].rounds.length;
    for (const c of tables) {
      for (let a = 3; a < N; a += 10) for (let k = 16; k < R; k++) expect(c.stated[a * R + k]).toBe(-1);
    }
  });

  it('should refuse a port that loses a decision', async () => {
    const lossy: DecisionPort = {
      kind: 'lossy',
      init: () => undefined,
      decideRound: async (batch) => batch.requests.slice(1).map(() => ({ ok: false, error: 'x' }) as DecisionOutcome),
      decideFinal: async (batch) => batch.requests.map(() => ({ ok: true, voted: 1 }) as VoteOutcome),
    };
    await expect(run(11, lossy)).rejects.toThrow(/exactly one outcome/);
  });

  it('should replay stored rounds with zero live decisions and identical records', async () => {
    const first = await run(12);
    let liveCalls = 0;
    const live: DecisionPort = {
      kind: 'live',
      init: () => undefined,
      decideRound: async () => {
        liveCalls++;
        return [];
      },
      decideFinal: async () => {
        liveCalls++;
        return [];
      },
    };
    const replay = new ReplayPort(first.rounds, first.elections, live);
    const again = await run(12, replay);
    expect(liveCalls).toBe(0);
    expect(fingerprint(again.tables)).toBe(fingerprint(first.tables));
  });

  it('should resume a paused run to the same final records as an uninterrupted one', async () => {
    const full = await run(13);
    const config = tinyConfig(N);
    const network = tinyNetwork(N, 7);
    const personas = tinyPersonas(N, 7);
    const stored: RoundRecord[] = [];
    let count = 0;
    const paused = await runExperiment(
      { protocol: sociopol, config, seed: 13, agents: personas, network, port: new OfflinePort() },
      { onRound: (r) => void stored.push(r), shouldPause: () => ++count >= 40 },
    );
    expect(paused.status).toBe('paused');
    expect(stored.length).toBe(40);
    const resumed = await run(13, new ReplayPort(stored, [], new OfflinePort()));
    expect(resumed.result.status).toBe('complete');
    expect(fingerprint(resumed.tables)).toBe(fingerprint(full.tables));
  });

  it('should stop with a Cancelled error when the signal aborts', async () => {
    const controller = new AbortController();
    const config = tinyConfig(N);
    const p = runExperiment(
      { protocol: sociopol, config, seed: 1, agents: tinyPersonas(N, 7), network: tinyNetwork(N, 7), port: new OfflinePort() },
      { onRound: (r) => { if (r.round === -10) controller.abort(); } },
      controller.signal,
    );
    await expect(p).rejects.toMatchObject({ name: 'Cancelled' });
  });

  it('should follow only authors not yet followed and unfollow only followed ones', async () => {
    const { rounds, network } = await run(14);
    const events = rounds.filter((r) => r.condition === WARMUP || r.condition === 'control').flatMap((r) => r.engagements);
    expect(events.some((e) => e.kind === 'follow')).toBe(true);
    const sets = Array.from({ length: N }, (_, a) => new Set(following(network, a)));
    for (const e of events) {
      if (e.kind === 'follow') {
        expect(sets[e.agent].has(e.target)).toBe(false);
        sets[e.agent].add(e.target);
      } else if (e.kind === 'unfollow') {
        expect(sets[e.agent].has(e.target)).toBe(true);
        sets[e.agent].delete(e.target);
      }
    }
  });
});

/** Who follows whom at the start of `round` in `condition`, rebuilt from the base network and the follow events. */
function followSets(network: ReturnType<typeof tinyNetwork>, rounds: RoundRecord[], condition: string, round: number): Set<number>[] {
  const sets = Array.from({ length: network.n }, (_, a) => new Set(following(network, a)));
  for (const r of rounds) {
    if (!(r.condition === WARMUP || r.condition === condition) || r.round >= round) continue;
    for (const e of r.engagements) {
      if (e.kind === 'follow') sets[e.agent].add(e.target);
      if (e.kind === 'unfollow') sets[e.agent].delete(e.target);
    }
  }
  return sets;
}
