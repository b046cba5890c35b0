/**
 * Representative activations, built by hand: the cost estimate measures the prompt size on them before a run, and
 * the benchmark measures tokens on the "typical" (the reference state) and the "largest" prompt. Texts have
 * realistic lengths (posts near 110 characters, replies near 70), not filler.
 */
import type { SimConfig } from '../../engine/config';
import { RankedFeed } from '../../engine/feed';
import type { FeedItem } from '../../engine/types';
import type { Persona } from '../../population/types';
import type { ActivationRequest, SocioPolParams } from './types';

const paramsOf = (config: SimConfig) => config.params as unknown as SocioPolParams;

export const SAMPLE_PERSONA: Persona = {
  id: 4127,
  age: 46,
  adult: true,
  sex: 'female',
  raceEthnicity: 'white_nh',
  education: 'bachelors',
  occupation: 'registered nurse',
  maritalStatus: 'married',
  hoursPerWeek: 40,
  workSchedule: 'full-time standard',
  countryOfBirth: 'United States',
  state: 'Ohio',
  party: 'democrat',
  ideology: 'moderate',
  turnoutHabit: 'occasional',
  politicalStance: 'occasional moderate Democratic voter',
  interests: ['healthcare', 'education', 'economy'],
  closeFriends: [812, 15233, 9046],
  publicProfile: '46, nurse in Ohio; healthcare and schools',
  tier: 'nano',
};

const POSTS = [
  'Hospital prices in our county went up again this year. Nobody running for office is talking about it. Why not?',
  'Teachers here buy their own classroom supplies. School funding should be the first question at every debate.',
  'Gas is cheaper than last spring but groceries are not. Curious what everyone is seeing at the store lately.',
  'Early voting starts next week at the library. Bring an ID and expect a line around lunchtime, go early.',
  'If the new plan passes, small businesses get a tax break for hiring apprentices. Good idea or just a gimmick?',
  'Our town hall on the water treatment plant was packed tonight. Local issues bring people out, apparently.',
];
const REPLIES = [
  'Same here, my insurance premium jumped 12% with no explanation at all.',
  'Agreed. My kid\'s school cut art and music last year to balance the budget.',
  'Eggs are still twice what they were. Rent too. It adds up fast for us.',
  'Thanks for the heads up, I will go Tuesday morning before my shift.',
  'Apprenticeships worked for my brother. Depends on how it is paid for.',
  'It was standing room only. Good to see people care about this.',
];
const PROFILES = [
  '52, pharmacist in Ohio; health policy',
  '34, teacher in Michigan; schools and unions',
  '61, retired machinist in Pennsylvania; economy',
  '29, librarian in Ohio; local news and voting',
  '44, small-business owner in Indiana; taxes',
  '38, engineer in Ohio; infrastructure',
];
const TOPICS = ['healthcare', 'education', 'economy', 'voting', 'economy', 'environment'];

function feedItem(i: number, followed: boolean, friends: number): FeedItem {
  return {
    postId: 100 + i,
    authorId: 2000 + i * 37,
    authorProfile: PROFILES[i % PROFILES.length],
    followed,
    topic: TOPICS[i % TOPICS.length],
    text: POSTS[i % POSTS.length],
    likeCount: 14 - i * 2,
    replyCount: 3 + (i % 3),
    likedByFollowed: friends > 0 ? [812, 15233, 9046].slice(0, friends) : [],
    repliedByFollowed: friends > 1 ? [812] : [],
    latestReply: { authorId: 3000 + i * 11, text: REPLIES[i % REPLIES.length] },
    source: followed ? 'followed' : 'interest',
  };
}

/**
 * The reference state: an adult shown the social message, remembering one liked post, with four posts that
 * each carry a reply.
 */
export function typicalActivation(config: SimConfig): ActivationRequest {
  const feed = [feedItem(0, true, 1), feedItem(1, false, 0), feedItem(2, false, 1), feedItem(3, false, 0)].slice(0, config.feed.size);
  return {
    agentId: SAMPLE_PERSONA.id,
    round: 12,
    condition: 'treatment_soc_message',
    memory: {
      round: 8,
      engaged: [{ postId: 55, topic: 'healthcare', text: POSTS[0], action: 'like' }],
      followed: [],
      unfollowed: [],
      posted: null,
      likelihood: 3,
      followedLikelyShare: 0.5,
      sawMessage: true,
    },
    feed,
    ranked: RankedFeed.of(feed),
    invitedToPost: false,
    vote: {
      roundsToElection: config.lastRound - 12,
      previousLikelihood: 3,
      treatment: {
        kind: 'social',
        text: paramsOf(config).messages.info,
        likelyCount: 11873,
        followedLikely: [{ id: 812, profile: PROFILES[0] }, { id: 9046, profile: PROFILES[1] }],
      },
      followedCount: 7,
      followedLikelyShare: 0.43,
    },
  };
}

/** The largest prompt the configuration allows: a full feed of long texts, a rich memory, the invitation, six friends. */
export function largestActivation(config: SimConfig): ActivationRequest {
  const long = (s: string) => (s + " " + s).slice(0, config.postMaxChars);
  const feed = Array.from({ length: config.feed.size }, (_, i) => {
    const item = feedItem(i, i % 2 === 0, 3);
    item.text = long(item.text);
    item.repliedByFollowed = [812, 15233, 9046];
    if (item.latestReply) item.latestReply.text = long(item.latestReply.text);
    return item;
  });
  const base = typicalActivation(config);
  return {
    ...base,
    memory: {
      round: 9,
      engaged: [
        { postId: 55, topic: 'healthcare', text: POSTS[0], action: 'like' },
        { postId: 56, topic: 'education', text: POSTS[1], action: 'reply', replyText: REPLIES[1] },
        { postId: 57, topic: 'economy', text: POSTS[2], action: 'like' },
      ],
      followed: [2037, 2074],
      unfollowed: [2111],
      posted: POSTS[4].slice(0, config.postMaxChars),
      likelihood: 3,
      followedLikelyShare: 0.5,
      sawMessage: true,
    },
    feed,
    ranked: RankedFeed.of(feed),
    invitedToPost: true,
    vote: {
      ...base.vote!,
      treatment: {
        kind: 'social',
        text: paramsOf(config).messages.info,
        likelyCount: 19785,
        followedLikely: [812, 15233, 9046, 2037, 2074, 3011].slice(0, paramsOf(config).maxFollowedLikelyShown).map((id, i) => ({ id, profile: PROFILES[i] })),
      },
    },
  };
}
