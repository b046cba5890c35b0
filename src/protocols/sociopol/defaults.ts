/**
 * LLM-SocioPol's defaults (protocols.md §A): 16 warm-up rounds, 30 main rounds in four treatment periods, the five
 * published conditions and the get-out-the-vote messages; `makeConfig` is the SocioPol configuration with overrides.
 */
import { ENGINE_DEFAULTS, LIMITS, withOverrides, type ConditionSpec, type SimConfig } from '../../engine/config';
import { configError } from '../../engine/errors';
import type { SocioPolParams } from './types';

export const CONDITION_NAMES = [
  'control',
  'treatment_info_message',
  'treatment_soc_message',
  'experiment_info_message',
  'experiment_soc_message',
] as const;

export const DEFAULT_CONDITIONS: ConditionSpec[] = [
  { name: 'control', message: 'none', schedule: [0, 0, 0, 0] },
  { name: 'treatment_info_message', message: 'info', schedule: [1, 1, 1, 1] },
  { name: 'treatment_soc_message', message: 'social', schedule: [1, 1, 1, 1] },
  { name: 'experiment_info_message', message: 'info', schedule: [0.2, 0.4, 0.8, 0.8] },
  { name: 'experiment_soc_message', message: 'social', schedule: [0.2, 0.4, 0.8, 0.8] },
];

export const SOCIOPOL_PARAMS: SocioPolParams = {
  messages: {
    info: 'Election Day is coming. Find your polling place and make a plan to vote.',
    social: '{count} people on this platform say they are likely to vote.',
  },
  maxFollowedLikelyShown: 6,
  friendsChannel: 'followed',
};

export const DEFAULT_CONFIG: SimConfig = {
  protocol: 'sociopol',
  params: SOCIOPOL_PARAMS as unknown as Record<string, unknown>,
  ...ENGINE_DEFAULTS,
  lastRound: 30,
  periodEnds: [10, 20, 29, 30],
  conditions: DEFAULT_CONDITIONS,
};

/** A deep copy of the SocioPol defaults with `overrides` applied (inside `feed` and `params` too). */
export function makeConfig(overrides: Partial<SimConfig> = {}): SimConfig {
  return withOverrides(DEFAULT_CONFIG, overrides);
}

/** The params of a SocioPol or Bond configuration, checked; throws a ConfigError naming the field and the fix. */
export function validateSocioPolParams(config: SimConfig): SocioPolParams {
  const p = config.params as Partial<SocioPolParams>;
  const messages = p.messages;
  if (!messages || typeof messages.info !== 'string' || messages.info.trim() === '') {
    throw configError('params.messages.info', 'is empty', 'write the get-out-the-vote slogan');
  }
  if (typeof messages.social !== 'string') throw configError('params.messages.social', 'is not text', 'write the social addition');
  for (const k of ['info', 'social'] as const) {
    if (messages[k].length > LIMITS.textChars) {
      throw configError(`params.messages.${k}`, `has ${messages[k].length} characters`, `keep it under ${LIMITS.textChars} characters (it is part of every prompt)`);
    }
  }
  const max = p.maxFollowedLikelyShown;
  if (typeof max !== 'number' || !Number.isInteger(max) || max < 0 || max > LIMITS.shownFriends) {
    throw configError('params.maxFollowedLikelyShown', `is ${max}`, `use a whole number between 0 and ${LIMITS.shownFriends} (6 as published)`);
  }
  if (p.friendsChannel !== 'followed' && p.friendsChannel !== 'closeFriends') {
    throw configError('params.friendsChannel', `is ${JSON.stringify(p.friendsChannel)}`, "use 'followed' or 'closeFriends'");
  }
  config.conditions.forEach((c, i) => {
    const check = (field: string, m: string) => {
      if (m !== 'none' && m !== 'info' && m !== 'social') throw configError(field, `is ${JSON.stringify(m)}`, "use 'none', 'info' or 'social'");
    };
    check(`conditions[${i}].message`, c.message);
    c.arms?.forEach((arm, k) => check(`conditions[${i}].arms[${k}].message`, arm.message));
  });
  return p as SocioPolParams;
}
