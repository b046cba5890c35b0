// The decision-port contract for the ports and protocols not covered elsewhere: the replay port (answering from
// stored rounds recorded from the rule agents) and every registered SocioPol-family protocol's defaults.
import { describe } from 'vitest';
import { ReplayPort } from '../../src/agents/replay';
import type { DecisionOutcome } from '../../src/engine/protocol';
import { PROTOCOLS } from '../../src/protocols/registry';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { withOverrides } from '../../src/engine/config';
import { contractPersonas, contractRequests, contractVotes, runPortContract } from './decision-port-contract';

/** A replay port whose store holds what the rule agents answered to the contract's requests. */
async function recordedReplay(): Promise<ReplayPort> {
  const personas = contractPersonas();
  const rules = new OfflinePort();
  const config = withOverrides(PROTOCOLS.sociopol.defaults(), { agents: 12 });
  await rules.init({ seed: 7, config, agents: personas });
  const rounds = [];
  for (const [condition, round] of [['treatment_soc_message', 5], ['control', 6], ['control', 1]] as const) {
    const requests = round === 1 ? [] : contractRequests(personas, round, condition);
    const decisions: DecisionOutcome[] = await rules.decideRound({ condition, round, requests });
    rounds.push({ condition, round, active: Int32Array.from(requests.map((r) => r.agentId)), decisions });
  }
  const outcomes = await rules.decideFinal({ condition: 'treatment_soc_message', requests: contractVotes(personas) });
  return new ReplayPort(rounds, [{ condition: 'treatment_soc_message', outcomes }], null);
}

describe('the replay port: the decision port contract', () => {
  runPortContract(recordedReplay);
});

for (const id of ['sociopol', 'bond2012']) {
  describe(`the rule agents under the ${id} protocol's defaults: the decision port contract`, () => {
    runPortContract(() => new OfflinePort(), { config: withOverrides(PROTOCOLS[id].defaults(), { agents: 12 }) });
  });
}
