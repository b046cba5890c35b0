/**
 * A run bundle (the app's "Export run bundle" JSON) as the analysis input: per seed, the wide tables of each condition
 * (adults only, warm-up rounds shared) and the follower graph, so `npm run estimate -- --run BUNDLE` estimates on
 * exactly the run the app stored.
 */
import { buildNetwork } from '../../engine/network';
import type { RunBundle } from '../../storage/bundle';
import type { ConditionData, SeedData } from '../types';
import { viewReading } from '../from-run';

const WARMUP = 'warmup';

export function seedsFromBundle(bundle: RunBundle): SeedData[] {
  const config = bundle.run.config;
  const { answerColumn } = viewReading(config);
  const network = buildNetwork(bundle.network.n, bundle.network.src, bundle.network.dst);
  const rounds: number[] = [];
  for (let r = config.firstRound; r <= config.lastRound; r++) rounds.push(r);
  const R = rounds.length;
  return bundle.seeds.map((s, idx) => {
    const adults = s.personas.filter((p) => p.adult).map((p) => p.id);
    const agentIds = Int32Array.from(adults);
    const warm = s.rounds.filter((r) => r.condition === WARMUP);
    const notes: string[] = [];
    const conditions: ConditionData[] = [];
    for (const spec of config.conditions) {
      const main = s.rounds.filter((r) => r.condition === spec.name);
      if (!main.length) {
        notes.push(`seed ${s.seed}: no rounds of ${spec.name} in the bundle`);
        continue;
      }
      const stated = new Int8Array(adults.length * R).fill(-1);
      const treatment = new Uint8Array(adults.length * R);
      for (const rec of [...warm, ...main]) {
        const c = rec.round - config.firstRound;
        if (c < 0 || c >= R) continue;
        adults.forEach((a, i) => {
          stated[i * R + c] = rec.columns[answerColumn][a];
          treatment[i * R + c] = rec.treated[a];
        });
      }
      conditions.push({ name: spec.name, agentIds, rounds, stated, treatment, notes: [] });
    }
    return { label: `seed_${idx + 1}`, conditions, network, notes };
  });
}
