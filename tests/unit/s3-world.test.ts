/**
 * The S3 rounds with the offline agent, run by the generic engine: it reduces to the classical cascade when recommendations are off, it is
 * deterministic, conditions share their rounds before an intervention (common random numbers), interventions act as
 * described, and outcome rows read the records correctly.
 */
import { describe, expect, it } from 'vitest';
import { buildNetwork } from '../../src/engine/network';
import { runCascade } from '../../src/protocols/s3/cascade';
import { makeS3Config, type S3Config } from '../../src/protocols/s3/config';
import { runS3Seed } from '../../src/protocols/s3/assemble';
import { s3Outcomes, type S3RoundRecord } from '../../src/protocols/s3/outcomes';
import { OFFICIAL_AUTHOR } from '../../src/protocols/s3/world';
import { tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';
import type { FollowNetwork } from '../../src/engine/network';

/** Every round of every condition (round 0 given to each), condition by condition, run by the generic engine. */
async function run(config: S3Config, network: FollowNetwork, seed: number): Promise<S3RoundRecord[]> {
  const records: S3RoundRecord[] = [];
  const personas = tinyPersonas(network.n, 1, 0);
  await runS3Seed({ config, seed, network, population: { personas } }, { onRound: (r) => void records.push(r) });
  const order = config.conditions.map((c) => c.name);
  return records.sort((a, b) => order.indexOf(a.condition) - order.indexOf(b.condition) || a.round - b.round);
}

const s3RoundsTotal = (config: S3Config) => (config.rounds + 1) * config.conditions.length;

describe('S3 round loop (offline agents)', () => {
  it('should spread along a path with p = 1 one user per round and record aware shares', async () => {
    const n = 6;
    const net = buildNetwork(n, [1, 2, 3, 4, 5], [0, 1, 2, 3, 4]);
    const config = makeS3Config({ rounds: 8, recommendation: 0, seedUsers: { kind: 'influential', k: 1 }, conditions: [{ name: 'baseline' }] });
    config.offline.spread = { kind: 'ic', p: 1 };
    const recs = await run(config, net, 3);
    expect(recs).toHaveLength(s3RoundsTotal(config));
    expect(recs.map((r) => s3Outcomes(r).aware * n)).toEqual([1, 2, 3, 4, 5, 6, 6, 6, 6]);
    expect(recs.slice(1, 6).map((r) => Array.from(r.active))).toEqual([[1], [2], [3], [4], [5]]);
    // Every message is a repost or a post passing on the seed's event.
    for (const r of recs.slice(1, 6)) expect(r.messages[0].origin === 0 || r.messages[0].kind === 'post').toBe(true);
  });

  it('should reproduce the independent cascade exactly when recommendations are off', async () => {
    const net = tinyNetwork(300, 5, 6);
    const config = makeS3Config({ rounds: 12, recommendation: 0, seedUsers: { kind: 'influential', k: 3 }, conditions: [{ name: 'baseline' }] });
    config.offline.spread = { kind: 'ic', p: 0.15 };
    const recs = await run(config, net, 11);
    const seeds = recs[0].messages.map((m) => m.author);
    const ic = runCascade(net, seeds, { kind: 'ic', p: 0.15 }, 12, 11);
    for (const rec of recs) {
      const awareNow = Array.from(rec.emotion, (e) => (e >= 0 ? 1 : 0));
      expect(awareNow).toEqual(Array.from(ic.awareRound, (r) => (r >= 0 && r <= rec.round ? 1 : 0)));
    }
    expect(ic.activeRound.filter((r) => r > 0).length).toBeGreaterThan(3);
  });

  it('should give identical records for the same seed and share rounds before an intervention', async () => {
    const net = tinyNetwork(400, 2, 6);
    const config = makeS3Config({
      rounds: 10,
      conditions: [
        { name: 'baseline' },
        { name: 'correction', correction: { round: 4, text: 'Official: the claim is false.', attitude: 0 } },
        { name: 'remove', removeSpreaders: { round: 3, k: 5 } },
      ],
    });
    config.offline.spread = { kind: 'ic', p: 0.2 };
    const a = await run(config, net, 8);
    const b = await run(config, net, 8);
    expect(b).toEqual(a);
    const byCond = (name: string) => a.filter((r) => r.condition === name);
    const base = byCond('baseline');
    const corr = byCond('correction');
    const rem = byCond('remove');
    for (let r = 0; r < 4; r++) {
      expect(corr[r].emotion).toEqual(base[r].emotion);
      expect(corr[r].attitude).toEqual(base[r].attitude);
    }
    for (let r = 0; r < 3; r++) expect(rem[r].action).toEqual(base[r].action);
    // The correction reaches every aware user in round 4 as an official message.
    const official = corr[4].messages.find((m) => m.author === OFFICIAL_AUTHOR);
    expect(official?.text).toBe('Official: the claim is false.');
    const awareBefore = Array.from(corr[3].emotion).filter((e) => e >= 0).length;
    expect(corr[4].active.length).toBeGreaterThanOrEqual(awareBefore);
    // Removed accounts never act again, and nothing they wrote is delivered after removal.
    const removed = rem[3].removed;
    expect(removed).toHaveLength(5);
    for (const r of rem.slice(3)) for (const id of removed) expect(r.active.includes(id)).toBe(false);
    // With a different seed, the run differs.
    expect(await run(config, net, 9)).not.toEqual(a);
  });

  it('should read outcomes from a record: shares among the aware, intensity, posts and reposts', () => {
    const rec = {
      round: 2,
      emotion: Int8Array.from([-1, 0, 1, 2, 2]),
      attitude: Int8Array.from([-1, 1, 0, 1, 1]),
      action: Uint8Array.from([0, 1, 2, 2, 0]),
    };
    expect(s3Outcomes(rec)).toEqual({ round: 2, aware: 0.8, calm: 0.25, moderate: 0.25, intense: 0.5, intensity: 5 / 8, positive: 0.75, posts: 1, reposts: 2 });
  });

  it('should use linear thresholds and DeGroot when chosen, and keep opinions inside [0, 1]', async () => {
    const net = tinyNetwork(300, 7, 6);
    const config = makeS3Config({ rounds: 10, conditions: [{ name: 'baseline' }] });
    config.offline.spread = { kind: 'lt' };
    config.offline.attitude = 'degroot';
    const recs = await run(config, net, 4);
    const last = s3Outcomes(recs[recs.length - 1]);
    expect(last.aware).toBeGreaterThan(0);
    expect(last.positive).toBeGreaterThanOrEqual(0);
    expect(last.positive).toBeLessThanOrEqual(1);
  });
});
