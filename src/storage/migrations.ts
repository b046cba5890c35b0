/**
 * How records written by earlier versions become today's: used by the Dexie upgrade of stored runs and by the import
 * of older run bundles, so both read the same way. Version 1 knew one experiment (LLM-SocioPol, and the Bond 2012
 * design as a condition with arms): its configuration carried the messages at the top level, its rounds named the
 * stated and last stated likelihood `stated` / `current` and the likely-voter count `likelyCount`, and election day was
 * its own record with `votes`.
 */
import type { SimConfig } from '../engine/config';
import type { FinalRecord, Post, RoundRecord } from '../engine/types';

/** A version-1 configuration as stored (top-level messages, no protocol or params). */
type ConfigV1 = Omit<SimConfig, 'protocol' | 'params'> & {
  messages?: { info: string; social: string };
  maxFollowedLikelyShown?: number;
  friendsChannel?: 'followed' | 'closeFriends';
  protocol?: string;
  params?: Record<string, unknown>;
};

/** A version-1 configuration as today's: the protocol named, its messages and peer settings moved into `params`. */
export function upgradeConfigV1(config: ConfigV1): SimConfig {
  if (config.protocol && config.params) return config as SimConfig;
  const { messages, maxFollowedLikelyShown, friendsChannel, ...rest } = config;
  return {
    ...rest,
    protocol: config.conditions.some((c) => c.arms) ? 'bond2012' : 'sociopol',
    params: { messages, maxFollowedLikelyShown: maxFollowedLikelyShown ?? 6, friendsChannel: friendsChannel ?? 'followed' },
  };
}

/** The round fields version 1 had and today's record keeps under `columns` / `scalars`. */
interface RoundFieldsV1 {
  stated?: Int8Array;
  current?: Int8Array;
  likelyCount?: number;
  columns?: RoundRecord['columns'];
  scalars?: RoundRecord['scalars'];
}

/** A version-1 round (row or record) as today's, in place: `stated` and `current` become the columns `stated` and `likelihood`. */
export function upgradeRoundV1<T extends object>(round: T & RoundFieldsV1): T & Pick<RoundRecord, 'columns' | 'scalars'> {
  if (round.columns && round.scalars) return round as T & Pick<RoundRecord, 'columns' | 'scalars'>;
  const { stated, current, likelyCount } = round;
  const columns: RoundRecord['columns'] = {};
  if (stated) columns.stated = stated;
  if (current) columns.likelihood = current;
  round.columns = columns;
  round.scalars = likelyCount === undefined ? {} : { likelyCount };
  delete round.stated;
  delete round.current;
  delete round.likelyCount;
  return round as T & Pick<RoundRecord, 'columns' | 'scalars'>;
}

/** A version-1 election record (`votes`) as today's end-of-run record (`values`). */
export function upgradeElectionV1<T extends object>(election: T & { votes?: Int8Array; values?: Int8Array }): T & Pick<FinalRecord, 'values'> {
  if (election.values) return election as T & Pick<FinalRecord, 'values'>;
  const { votes, ...rest } = election;
  return { ...rest, values: votes ?? new Int8Array(0) } as T & Pick<FinalRecord, 'values'>;
}

/**
 * A post as stored before the seed-post flag was renamed (`seed`, which read like the RNG seed) as today's `seedPost`.
 * Read-time only: stored rows and bundles keep whichever name they were written with.
 */
export function upgradePost<T extends object>(post: T & { seed?: boolean; seedPost?: boolean }): T & Pick<Post, 'seedPost'> {
  if (post.seedPost !== undefined) return post as T & Pick<Post, 'seedPost'>;
  const { seed, ...rest } = post;
  return { ...rest, seedPost: seed === true } as T & Pick<Post, 'seedPost'>;
}
