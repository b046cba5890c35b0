// The graph colours by the protocol's declared state column and compares each condition with the baseline its
// contrasts name, so a protocol with other columns or other condition names still gets a working colouring.
import { describe, expect, it } from 'vitest';
import { baselineOf, stateColumn } from '../../src/ui/state/graph-view.svelte';
import { levelSwatches } from '../../src/ui/graph-colors';
import { getProtocol } from '../../src/protocols/registry';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import { BOND_2012_CONFIG } from '../../src/protocols/bond2012/protocol';
import { LIKELIHOOD_WORDS } from '../../src/protocols/sociopol/types';
import { s3Protocol } from '../../src/protocols/s3/protocol';

describe('graph colouring from the protocol declarations', () => {
  const sociopol = getProtocol('sociopol');

  it('should compare a condition with the baseline its contrasts name, whatever it is called', () => {
    const config = makeConfig();
    config.conditions = config.conditions.map((c) => ({ ...c, name: c.name === 'control' ? 'nobody' : `c_${c.name.length}_${c.message}` }));
    const rollout = config.conditions[4].name;
    expect(baselineOf(sociopol, config, rollout)).toBe('nobody');
    expect(baselineOf(sociopol, config, config.conditions[2].name)).toBe('nobody');
    expect(baselineOf(sociopol, config, 'nobody')).toBeNull();
    // An arm design compares arms inside one condition: no other condition to compare agents with.
    expect(baselineOf(getProtocol('bond2012'), BOND_2012_CONFIG, 'bond2012')).toBeNull();
  });

  it("should colour by the protocol's carried column with its declared levels", () => {
    const col = stateColumn(sociopol);
    expect(col.name).toBe('likelihood');
    expect(levelSwatches(col.levels!).map((s) => s.label)).toEqual(LIKELIHOOD_WORDS.map((w, i) => `${i} ${w}`));
    // S3 declares emotion and attitude as its state: the graph colours by the first.
    expect(stateColumn(s3Protocol).name).toBe('emotion');
    expect(levelSwatches(['low', 'mid', 'high']).map((s) => s.color)).toHaveLength(3);
  });
});
