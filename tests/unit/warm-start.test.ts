// The warm-up played once, packed, cloned as a worker would receive it, and the conditions started from it: the same
// records and result as the run that plays everything in one go.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { withOverrides } from '../../src/engine/config';
import { runExperiment, type ExperimentResult } from '../../src/engine/simulation';
import type { FinalRecord, RoundRecord } from '../../src/engine/types';
import { BOND_2012_CONFIG } from '../../src/protocols/bond2012/protocol';
import { offlinePort } from '../../src/protocols/assemble';
import { getProtocol } from '../../src/protocols/registry';
import { tinyConfig, tinyNetwork, tinyPersonas } from '../fixtures/tiny-world';

const n = 120;
const plain = (v: unknown) => JSON.stringify(v, (_k, x) => (ArrayBuffer.isView(x) ? Array.from(x as Int8Array) : x));

function recorder() {
  const hash = createHash('sha256');
  return {
    onRound: (r: RoundRecord, p: unknown) => void hash.update(plain(r) + plain(p)),
    onFinal: (r: FinalRecord, p: unknown) => void hash.update(plain(r) + plain(p)),
    digest: (result: ExperimentResult) => hash.update(plain(result)).digest('hex'),
  };
}

describe('a warm-up shipped to the conditions', () => {
  const s3 = withOverrides(getProtocol('s3').defaults(), { agents: n, lastRound: 10, periodEnds: [10] });
  (s3.params as { rounds: number }).rounds = 10;
  const configs = {
    sociopol: tinyConfig(n),
    bond2012: withOverrides(BOND_2012_CONFIG, { agents: n }),
    s3,
  };
  for (const [name, config] of Object.entries(configs)) {
    it(`should give the records of the run that plays its own warm-up (${name})`, async () => {
      const protocol = getProtocol(config.protocol);
      const inputs = () => ({ protocol, config, seed: 7, agents: tinyPersonas(n, 7), network: tinyNetwork(n, 7), port: offlinePort(protocol) });
      const whole = recorder();
      const expected = whole.digest(await runExperiment(inputs(), whole));

      const split = recorder();
      const warmed = await runExperiment(inputs(), split, undefined, { warmupOnly: true });
      expect(warmed.status).toBe('paused');
      expect(warmed.roundsDone).toBe(1 - config.firstRound);
      // What a worker receives: a structured clone, in a run that built its own agents, network and port.
      const warm = structuredClone(warmed.warm);
      expect(warm).toBeDefined();
      const got = split.digest(await runExperiment(inputs(), split, undefined, { from: warm }));
      expect(got).toBe(expected);
    });
  }

  it('should refuse a warm start played with another seed', async () => {
    const config = tinyConfig(n);
    const protocol = getProtocol(config.protocol);
    const inputs = (seed: number) => ({ protocol, config, seed, agents: tinyPersonas(n, 7), network: tinyNetwork(n, 7), port: offlinePort(protocol) });
    const { warm } = await runExperiment(inputs(1), {}, undefined, { warmupOnly: true });
    await expect(runExperiment(inputs(2), {}, undefined, { from: warm })).rejects.toThrow(/played with seed 1, not 2/);
  });
});
