/**
 * S3 as a protocol module: driven through the interface's hooks in the documented order (a shared round 0 forked into
 * every condition, then beginRound → activeAgents → request → the port → checkDecision/applyDecision → endRound), it
 * gives the records the generic engine (`runExperiment`) gives; its declarations are consistent.
 */
import { describe, expect, it } from 'vitest';
import { following, type FollowNetwork } from '../../src/engine/network';
import { RankedFeed } from '../../src/engine/feed';
import type { RoundContext } from '../../src/engine/protocol';
import type { Persona } from '../../src/population/types';
import { s3Protocol } from '../../src/protocols/s3/protocol';
import type { S3Config } from '../../src/protocols/s3/config';
import type { S3RoundExtra } from '../../src/protocols/s3/protocol';
import { withOverrides } from '../../src/engine/config';
import { runExperiment } from '../../src/engine/simulation';
import type { RoundRecord } from '../../src/engine/types';
import { offlinePort } from '../../src/protocols/assemble';
import { getProtocol } from '../../src/protocols/registry';
import { tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

/** A minimal stand-in for the generic runner: the hook order of docs/architecture.md, with activeAgents. */
async function drive(network: FollowNetwork, personas: Persona[], seed: number, config = s3Protocol.defaults()) {
  const p = s3Protocol.validateParams(config);
  const port = s3Protocol.offlineAgents[s3Protocol.defaultOffline]();
  await port.init({ seed, config, agents: personas });
  const world = { n: network.n, following: (a: number) => following(network, a) };
  const base = { seed, config, agents: personas, world, message: new Uint8Array(network.n), treatedEver: new Uint8Array(network.n) };
  const warm = s3Protocol.createState({ seed, config, agents: personas });
  const ctx0 = { ...base, condition: 'warmup', round: 0, state: warm } as RoundContext<typeof warm, Persona>;
  const zero = s3Protocol.endRound(ctx0, s3Protocol.beginRound(ctx0));
  const out = new Map<string, { columns: Record<string, Int8Array | Float32Array>; scalars: Record<string, number>; extra?: unknown }>();
  for (const cond of config.conditions) {
    const state = s3Protocol.forkState(warm);
    out.set(`${cond.name}:0`, zero);
    for (let round = 1; round <= p.rounds; round++) {
      const ctx = { ...base, condition: cond.name, round, state } as RoundContext<typeof state, Persona>;
      const scratch = s3Protocol.beginRound(ctx);
      const active = s3Protocol.activeAgents!(ctx, scratch);
      const requests = Array.from(active, (a) => ({ agentId: a, round, condition: cond.name, memory: null, feed: [], ranked: RankedFeed.of([]), invitedToPost: false, ...s3Protocol.request(ctx, scratch, a) }));
      const outcomes = await port.decideRound({ condition: cond.name, round, requests });
      outcomes.forEach((o, i) => {
        if (!o.ok) return;
        expect(s3Protocol.checkDecision(o.decision, requests[i])).toBeNull();
        s3Protocol.applyDecision(ctx, scratch, requests[i].agentId, o.decision, requests[i]);
      });
      out.set(`${cond.name}:${round}`, s3Protocol.endRound(ctx, scratch));
    }
  }
  return { out, params: p };
}

describe('S3 protocol module', () => {
  it('should give the same records through the generic engine (runExperiment) as the hooks driven by hand', async () => {
    const network = tinyNetwork(300, 4, 6);
    const personas = tinyPersonas(300, 4, 0);
    const config = withOverrides(s3Protocol.defaults(), { agents: 300, lastRound: 10, periodEnds: [10] });
    (config.params as unknown as S3Config).rounds = 10;
    const { out, params } = await drive(network, personas, 9, config);
    const engine: RoundRecord[] = [];
    const result = await runExperiment(
      { protocol: getProtocol('s3'), config, seed: 9, agents: personas, network, port: offlinePort(getProtocol('s3')) },
      { onRound: (r) => void engine.push(r) },
    );
    expect(result.status).toBe('complete');
    // One shared round 0 (the seed users posting), then rounds 1…10 of each condition.
    expect(engine.map((r) => `${r.condition}:${r.round}`).slice(0, 2)).toEqual(['warmup:0', 'baseline:1']);
    expect(engine).toHaveLength(1 + 10 * config.conditions.length);
    expect(out.size).toBe(11 * config.conditions.length);
    const byKey = new Map(engine.map((r) => [`${r.condition}:${r.round}`, r]));
    for (const [key, hand] of out) {
      const [condition, round] = key.split(':');
      const got = byKey.get(round === '0' ? 'warmup:0' : key)!;
      expect(got.columns.emotion, key).toEqual(hand.columns.emotion);
      expect(got.columns.attitude).toEqual(hand.columns.attitude);
      expect(got.columns.action).toEqual(hand.columns.action);
      expect(got.scalars).toEqual(hand.scalars);
      expect(got.extra as S3RoundExtra, `${condition} ${round}: messages and removals`).toEqual(hand.extra);
    }
    const last = out.get('remove_spreaders:10')!.scalars;
    expect(last.aware).toBeGreaterThan(0);
    expect(byKey.get('remove_spreaders:10')!.scalars).toEqual(last);
    expect(Object.keys(last).sort()).toEqual([...s3Protocol.scalars.map((s) => s.name)].sort());
  });
  it('should declare its outcomes and a contrast per intervention and outcome against the baseline', () => {
    const config = s3Protocol.defaults();
    expect(s3Protocol.outcomes(config).map((o) => o.id)).toEqual(['aware_r30', 'positive_r30']);
    expect(s3Protocol.contrasts(config).map((c) => c.id)).toEqual([
      's3:correction:aware_r30', 's3:correction:positive_r30', 's3:remove_spreaders:aware_r30', 's3:remove_spreaders:positive_r30',
    ]);
    expect(() => s3Protocol.validateParams({ ...config, firstRound: -3 })).toThrow(/S3 has no warm-up/);
    expect(() => s3Protocol.validateParams({ ...config, conditions: [...config.conditions, { name: 'other', message: 'none', schedule: [0] }] })).toThrow(/has no condition 'other'/);
  });
});
