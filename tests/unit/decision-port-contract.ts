/**
 * The contract every DecisionPort must keep, as a reusable suite: one outcome per request in request order, every ok
 * decision valid for its request, and the same outcomes for the same inputs. Call `runPortContract(makePort)` inside a
 * `describe`; the fixtures (hand-built personas and requests) are exported for other tests.
 */
import { expect, it } from 'vitest';
import { type SimConfig } from '../../src/engine/config';
import { makeConfig } from '../../src/protocols/sociopol/defaults';
import type { DecisionPort, PortContext } from '../../src/engine/ports';
import { RankedFeed } from '../../src/engine/feed';
import type { FeedItem } from '../../src/engine/types';
import type { ActivationRequest, Decision, DecisionOutcome, VoteOutcome, VoteRequest } from '../../src/protocols/sociopol/types';
import type { Persona } from '../../src/population/types';

export function contractPersonas(n = 12): Persona[] {
  return Array.from({ length: n }, (_, id) => ({
    id,
    age: id === 3 ? 16 : 22 + ((id * 7) % 50),
    adult: id !== 3,
    sex: id % 2 ? 'male' : 'female',
    raceEthnicity: ['white_nh', 'black_nh', 'hispanic_any_race', 'asian_nh'][id % 4],
    education: (['high_school', 'bachelors', 'masters', 'some_college'] as const)[id % 4],
    occupation: ['teacher', 'electrician', 'analyst', 'student'][id % 4],
    maritalStatus: id % 3 ? 'married' : 'never married',
    hoursPerWeek: 40,
    workSchedule: 'full-time standard',
    countryOfBirth: 'United States',
    state: ['Ohio', 'Texas', 'California'][id % 3],
    party: (['democrat', 'republican', 'independent'] as const)[id % 3],
    ideology: (['liberal', 'conservative', 'moderate'] as const)[id % 3],
    turnoutHabit: (['consistent', 'occasional', 'low-turnout'] as const)[id % 3],
    politicalStance: ['consistent progressive voter', 'occasional conservative voter', 'low-turnout moderate'][id % 3],
    interests: ['economy', 'healthcare', 'immigration', 'education'].slice(0, 2 + (id % 3)),
    closeFriends: [(id + 1) % n, (id + 2) % n],
    publicProfile: `${22 + id}, ${['teacher', 'electrician', 'analyst', 'student'][id % 4]}; politics and local news`,
    tier: (['nano', 'nano', 'mini', 'full'] as const)[id % 4],
  }));
}

function item(postId: number, viewer: number, i: number): FeedItem {
  return {
    postId,
    authorId: (viewer + 3 + i) % 12,
    authorProfile: `author of post ${postId}`,
    followed: i % 2 === 0,
    topic: ['economy', 'healthcare', 'immigration', 'education'][i % 4],
    text: `Post ${postId}: what should the next council do about ${['rents', 'clinics', 'schools', 'jobs'][i % 4]}?`,
    likeCount: 10 - i,
    replyCount: i,
    likedByFollowed: i === 0 ? [(viewer + 1) % 12] : [],
    repliedByFollowed: [],
    latestReply: i % 2 ? { authorId: (viewer + 5) % 12, text: 'Worth a look.' } : null,
    source: 'interest',
  };
}

/** One request per agent with varied feeds (0–4 posts), memories, invitations, treatments; agent 3 is a minor. */
export function contractRequests(personas: Persona[], round = 5, condition = 'treatment_soc_message'): ActivationRequest[] {
  return personas.map((p, k) => {
    const feed = Array.from({ length: k % 5 }, (_, i) => item(100 + k * 10 + i, p.id, i));
    return {
    agentId: p.id,
    round,
    condition,
    memory:
      k % 3 === 0
        ? null
        : { round: round - 3, engaged: [{ postId: 7, topic: 'economy', text: 'Rents again.', action: 'like' }], followed: [], unfollowed: [], posted: null, likelihood: 2, followedLikelyShare: 0.5, sawMessage: false },
    feed,
    ranked: RankedFeed.of(feed),
    invitedToPost: k % 4 === 1,
    vote: p.adult
      ? {
          roundsToElection: 30 - round,
          previousLikelihood: k % 2 ? 3 : null,
          treatment: k % 3 === 2 ? { kind: 'social', text: 'Make a plan to vote.', likelyCount: 7, followedLikely: [{ id: (p.id + 1) % 12, profile: 'x' }] } : k % 3 === 1 ? { kind: 'info', text: 'Make a plan to vote.' } : null,
          followedCount: 4,
          followedLikelyShare: 0.25,
        }
      : null,
    };
  });
}

export function contractVotes(personas: Persona[], condition = 'treatment_soc_message'): VoteRequest[] {
  return personas.filter((p) => p.adult).map((p, k) => ({ agentId: p.id, condition, lastLikelihood: k % 5 === 0 ? null : ((k % 4) + 1) as 1 | 2 | 3 | 4, treatedEver: k % 2 === 0 }));
}

/** Throws (via expect) unless `d` is a valid decision for `req` under `config`. Independent of any port's own validator. */
export function expectValidDecision(d: Decision, req: ActivationRequest, persona: Persona, config: SimConfig): void {
  const ids = new Set(req.feed.map((f) => f.postId));
  const seen = new Set<number>();
  for (const a of d.actions) {
    expect(ids.has(a.postId), `agent ${req.agentId}: action on post ${a.postId}, not in its feed`).toBe(true);
    expect(seen.has(a.postId), `agent ${req.agentId}: two actions on post ${a.postId}`).toBe(false);
    seen.add(a.postId);
    expect(['none', 'like', 'reply']).toContain(a.engagement);
    expect(['none', 'follow', 'unfollow']).toContain(a.follow);
    if (a.engagement === 'reply') {
      expect(typeof a.replyText).toBe('string');
      expect((a.replyText ?? '').length).toBeGreaterThan(0);
      expect((a.replyText ?? '').length).toBeLessThanOrEqual(config.postMaxChars);
    }
  }
  if (d.newPost !== null) {
    expect(req.invitedToPost, `agent ${req.agentId}: posted without an invitation`).toBe(true);
    expect(d.newPost.text.length).toBeGreaterThan(0);
    expect(d.newPost.text.length).toBeLessThanOrEqual(config.postMaxChars);
    expect(persona.interests).toContain(d.newPost.topic);
  }
  if (req.vote) expect([0, 1, 2, 3, 4]).toContain(d.likelihood);
  expect(Number.isInteger(d.nextDelay) && d.nextDelay >= 1 && d.nextDelay <= 5, `agent ${req.agentId}: delay ${d.nextDelay}`).toBe(true);
}

/**
 * What the contract asks of one protocol's ports: requests for a round, an independent validity check of an ok
 * decision, and (protocols with an end-of-run question) the final requests and a check of each answer.
 */
export interface ContractFixture {
  requests(personas: Persona[], round: number, condition: string): Array<{ agentId: number; round: number; condition: string }>;
  check(d: never, req: never, persona: Persona, config: SimConfig): void;
  /** The two conditions asked (a treated one first). */
  conditions: [string, string];
  finals?: { requests(personas: Persona[], condition: string): Array<{ agentId: number }>; check(o: never): void };
}

/** LLM-SocioPol's fixture (the default): feeds, memories, invitations, treatments; the vote at the end. */
export const SOCIOPOL_FIXTURE: ContractFixture = {
  requests: contractRequests,
  check: expectValidDecision as ContractFixture['check'],
  conditions: ['treatment_soc_message', 'control'],
  finals: {
    requests: (personas, condition) => contractVotes(personas, condition),
    check: ((o: VoteOutcome) => {
      if (o.ok) expect([0, 1]).toContain(o.voted);
    }) as (o: never) => void,
  },
};

export interface ContractOptions {
  config?: SimConfig;
  seed?: number;
  fixture?: ContractFixture;
}

/** Registers the contract tests for the ports `makePort` builds (a fresh one per call). */
export function runPortContract(makePort: () => DecisionPort | Promise<DecisionPort>, options: ContractOptions = {}): void {
  const config = options.config ?? makeConfig({ agents: 12 });
  const fixture = options.fixture ?? SOCIOPOL_FIXTURE;
  const [treated, other] = fixture.conditions;
  const personas = contractPersonas();
  const ctx: PortContext = { seed: options.seed ?? 7, config, agents: personas };
  const requests = fixture.requests(personas, 5, treated);

  async function fresh(): Promise<DecisionPort> {
    const port = await makePort();
    await port.init(ctx);
    return port;
  }

  it('should return one outcome per request, in request order, each valid for its request', async () => {
    const port = await fresh();
    const outcomes = (await port.decideRound({ condition: treated, round: 5, requests: requests as never[] })) as DecisionOutcome[];
    expect(outcomes).toHaveLength(requests.length);
    let ok = 0;
    outcomes.forEach((o, i) => {
      if (o.ok) {
        ok++;
        fixture.check(o.decision as never, requests[i] as never, personas[requests[i].agentId], config);
      } else {
        expect(typeof o.error).toBe('string');
      }
    });
    expect(ok).toBeGreaterThan(0);
  });

  const finals = fixture.finals;
  if (finals) {
    it('should answer the end-of-run question once per agent asked, in order', async () => {
      const port = await fresh();
      const asked = finals.requests(personas, treated);
      const outcomes = await port.decideFinal({ condition: treated, requests: asked as never[] });
      expect(outcomes).toHaveLength(asked.length);
      for (const o of outcomes) finals.check(o as never);
      expect(outcomes.some((o) => o.ok)).toBe(true);
    });
  }

  it('should give the same outcomes for the same inputs', async () => {
    const strip = (o: unknown) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'meta' ? undefined : v)));
    const a = await (await fresh()).decideRound({ condition: other, round: 6, requests: fixture.requests(personas, 6, other) as never[] });
    const b = await (await fresh()).decideRound({ condition: other, round: 6, requests: fixture.requests(personas, 6, other) as never[] });
    expect(strip(b)).toEqual(strip(a));
  });

  it('should answer an empty round with no outcomes', async () => {
    const port = await fresh();
    expect(await port.decideRound({ condition: other, round: 1, requests: [] })).toEqual([]);
  });
}
