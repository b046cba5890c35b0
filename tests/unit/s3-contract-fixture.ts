/**
 * S3's fixture for the decision-port contract (decision-port-contract.ts): hand-built requests of aware users with
 * varied feeds, memories and states, and a check of a decision written apart from every port's own validator.
 */
import { expect } from 'vitest';
import type { Decision } from '../../src/engine/protocol';
import type { Persona } from '../../src/population/types';
import { ACTIONS, type S3Decision, type S3Request, type SeenMessage } from '../../src/protocols/s3/types';
import type { ContractFixture } from './decision-port-contract';

const seen = (id: number, k: number, source: SeenMessage['source']): SeenMessage => ({
  id, author: (k + id) % 12, authorProfile: `${30 + k}-year-old woman, medical, regular account`, source, round: 2, kind: id % 3 ? 'post' : 'repost',
  emotion: (k % 3) as 0 | 1 | 2, attitude: (id % 2) as 0 | 1, opinion: id % 2, text: `Message ${id}: the council's decision was ${id % 2 ? 'right' : 'wrong'}.`,
});

/** One request per agent: 0–4 new messages, 0–2 remembered, newly aware or not, calm to intense. */
export function s3ContractRequests(personas: Persona[], round: number, condition: string): Array<S3Request & { memory: null; feed: []; invitedToPost: false }> {
  return personas.map((p, k) => ({
    agentId: p.id, round, condition, memory: null, feed: [], invitedToPost: false,
    profile: `${p.age}-year-old ${p.sex === 'female' ? 'woman' : 'man'}, ${p.occupation}, regular account`,
    newlyAware: k % 4 === 0, emotion: (k % 3) as 0 | 1 | 2, attitude: (k % 2) as 0 | 1, opinion: k % 2, spread: k % 5 === 1,
    messages: Array.from({ length: (k % 4) + 1 }, (_, i) => seen(20 + k * 5 + i, k, i % 2 ? 'mutual' : 'followee')),
    arrivals: (k % 4) + 1 + (k % 2),
    remembered: Array.from({ length: k % 3 }, (_, i) => seen(k * 5 + i, k, i ? 'recommended' : 'own')),
    spreadFolloweeShare: (k % 5) / 4,
  }));
}

function check(d: Decision<S3Decision>, req: S3Request): void {
  expect([0, 1, 2], `agent ${req.agentId}: emotion`).toContain(d.emotion);
  expect([0, 1], `agent ${req.agentId}: attitude`).toContain(d.attitude);
  expect(ACTIONS).toContain(d.action);
  if (d.action === 'repost') expect(req.messages.map((m) => m.id), `agent ${req.agentId}: reposts a message not in its feed`).toContain(d.repostId);
  if (d.action === 'post') expect((d.postText ?? '').trim().length).toBeGreaterThan(0);
  // S3 uses none of the engine's feed, posts or delays.
  expect(d.actions).toEqual([]);
  expect(d.newPost).toBeNull();
}

export const S3_FIXTURE: ContractFixture = {
  requests: s3ContractRequests,
  check: check as ContractFixture['check'],
  conditions: ['correction', 'baseline'],
};
