// A run stopped part-way resumes on the condition pool: its stored decisions are replayed wherever each round is
// played (the warm-up here, the conditions on the workers, a condition cut between two threads), and the records
// equal those of the same resume in one thread. The stored decisions are not what the offline agents would say (each
// stated likelihood is shifted), so a pool that ignored them would give other records.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createOfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { runConditionPool } from '../../src/cli/condition-pool';
import { runExperiment } from '../../src/engine/simulation';
import type { DecisionPort } from '../../src/engine/ports';
import type { FinalRecord, RoundRecord } from '../../src/engine/types';
import { sociopol } from '../../src/protocols/sociopol';
import { ReplayPort } from '../../src/agents/replay';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const n = 150;
const inputs = { config: tinyConfig(n), seed: 4, personas: tinyPersonas(n, 4), network: tinyNetwork(n, 4) };
const plain = (v: unknown) => JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Int8Array) : x));

/** Every record in the order handed on, digested as text (a replayed decision's `meta: undefined` reads as none). */
function recorder() {
  const records: Array<RoundRecord | FinalRecord> = [];
  const digest = () => createHash('sha256').update(records.map((r) => plain(r)).join('\n')).digest('hex');
  return { hooks: { onRound: (r: RoundRecord) => void records.push(r), onFinal: (r: FinalRecord) => void records.push(r) }, records, digest };
}

async function sequential(port: DecisionPort) {
  const rec = recorder();
  await runExperiment({ protocol: sociopol, config: inputs.config, seed: inputs.seed, agents: inputs.personas, network: inputs.network, port }, rec.hooks);
  return rec;
}

describe('resuming on the condition pool', () => {
  it('should replay the stored decisions on every thread and go on with the offline agents, as one thread does', async () => {
    const fresh = await sequential(createOfflinePort());
    const shift = (d: RoundRecord['decisions'][number]): RoundRecord['decisions'][number] => {
      const decision = d.ok ? (d.decision as unknown as { likelihood: number | null }) : null;
      return decision && decision.likelihood !== null ? ({ ...d, decision: { ...decision, likelihood: (decision.likelihood + 2) % 5 } } as unknown as typeof d) : d;
    };
    const rounds: RoundRecord[] = fresh.records.filter((r): r is RoundRecord => 'round' in r).map((r) => ({ ...r, decisions: r.decisions.map(shift) }));
    const warmup = 1 - inputs.config.firstRound;
    // Stopped in the warm-up, in the conditions' first rounds, and with every round stored but the end-of-run answers.
    for (const count of [5, warmup + 12, rounds.length]) {
      const stored = rounds.slice(0, count);
      const expected = await sequential(new ReplayPort(stored, [], createOfflinePort()));
      expect(expected.digest()).not.toBe(fresh.digest());
      const pool = recorder();
      const decisions = { rounds: stored.map(({ condition, round, active, decisions }) => ({ condition, round, active, decisions })), finals: [] };
      const result = await runConditionPool({ ...inputs, stored: decisions }, pool.hooks, { workers: 2 });
      expect(result.status).toBe('complete');
      expect(pool.records.length).toBe(expected.records.length);
      expect(pool.digest(), `${count} rounds stored`).toBe(expected.digest());
    }
  }, 60_000);
});
