// The decision-port contract for the ports and protocols not covered elsewhere: the replay port (answering from
// stored rounds recorded from the rule agents, and from S3's classical models), every registered SocioPol-family
// protocol's defaults, and S3's offline agents.
import { describe } from 'vitest';
import { ReplayPort } from '../../src/agents/replay';
import type { DecisionOutcome } from '../../src/engine/protocol';
import { PROTOCOLS } from '../../src/protocols/registry';
import { OfflinePort } from '../../src/protocols/sociopol/offline/rules-port';
import { withOverrides } from '../../src/engine/config';
import { contractPersonas, contractRequests, contractVotes, runPortContract } from './decision-port-contract';
import { offlinePort } from '../../src/protocols/assemble';
import { S3_FIXTURE } from './s3-contract-fixture';

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

const s3Config = withOverrides(PROTOCOLS.s3.defaults(), { agents: 12 });

describe("S3's classical models (the protocol's default offline agents): the decision port contract", () => {
  runPortContract(() => offlinePort(PROTOCOLS.s3), { config: s3Config, fixture: S3_FIXTURE });
});

/** A replay port whose store holds what S3's classical models answered to the fixture's requests. */
async function recordedS3Replay(): Promise<ReplayPort> {
  const personas = contractPersonas();
  const models = offlinePort(PROTOCOLS.s3);
  await models.init({ seed: 7, config: s3Config, agents: personas });
  const rounds = [];
  for (const [condition, round] of [['correction', 5], ['baseline', 6], ['baseline', 1]] as const) {
    const requests = round === 1 ? [] : S3_FIXTURE.requests(personas, round, condition);
    const decisions = (await models.decideRound({ condition, round, requests: requests as never[] })) as DecisionOutcome[];
    rounds.push({ condition, round, active: Int32Array.from(requests.map((r) => r.agentId)), decisions });
  }
  return new ReplayPort(rounds, [], null);
}

describe('the replay port under S3: the decision port contract', () => {
  runPortContract(recordedS3Replay, { config: s3Config, fixture: S3_FIXTURE });
});
