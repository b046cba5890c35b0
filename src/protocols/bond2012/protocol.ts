/**
 * The Bond et al. 2012 design (protocols.md §B) on the SocioPol machinery: a quiet warm-up on the platform, then one
 * round that is election day, on which every adult is randomised to the social message (98 %), the informational one
 * (1 %) or none (1 %); the social message pictures up to six close friends who say they will vote; close friends carry
 * the peer signal. With a few thousand agents the 1 % arms are tiny: raise their shares for power.
 */
import type { SimConfig } from '../../engine/config';
import type { ContrastDecl } from '../../engine/protocol';
import { DEFAULT_CONFIG as SOCIOPOL_CONFIG } from '../sociopol/defaults';
import { socioPolOutcomes, socioPolProtocol } from '../sociopol/protocol';
import type { SocioPolParams } from '../sociopol/types';
import { withOverrides } from '../../engine/config';

export const BOND_2012_PARAMS: SocioPolParams = {
  messages: {
    info: "Today is Election Day. Find your polling place, and click 'I Voted' to tell your friends.",
    social: '{count} people on this platform have said they will vote.',
  },
  maxFollowedLikelyShown: 6,
  friendsChannel: 'closeFriends',
};

export const BOND_2012_CONFIG: SimConfig = withOverrides(SOCIOPOL_CONFIG, {
  protocol: 'bond2012',
  params: BOND_2012_PARAMS as unknown as Record<string, unknown>,
  firstRound: -15,
  lastRound: 1,
  periodEnds: [1],
  conditions: [
    {
      name: 'bond2012',
      message: 'social',
      schedule: [1],
      arms: [
        { name: 'social', message: 'social', share: 0.98 },
        { name: 'info', message: 'info', share: 0.01 },
        { name: 'control', message: 'none', share: 0.01 },
      ],
    },
  ],
});

/**
 * Per condition with arms, on every outcome: each arm with a message against the arm without (Neyman: assignment is
 * random within the condition; arms share one world, so interference between arms is part of what is measured, as in
 * Bond et al.), social vs informational, and each arm's close friends against the close friends of the arm without a
 * message (Bond's friend spillover: egos are randomised, friends are not, and a friend counts once per ego who names
 * them).
 */
function bondContrasts(config: SimConfig): ContrastDecl[] {
  const out: ContrastDecl[] = [];
  for (const c of config.conditions) {
    const arms = c.arms ?? [];
    const control = arms.find((a) => a.message === 'none');
    if (!control) continue;
    const social = arms.find((a) => a.message === 'social');
    const info = arms.find((a) => a.message === 'info');
    const base = { condition: c.name, arm: control.name };
    const others = arms.filter((a) => a !== control);
    for (const outcome of socioPolOutcomes(config)) {
      const o = outcome.id;
      for (const arm of others) {
        out.push({ id: `${c.name}:${arm.name}`, treatment: { condition: c.name, arm: arm.name }, baseline: base, outcome: o, kind: 'direct', messages: [arm.message, 'none'] });
      }
      if (social && info) {
        out.push({ id: `${c.name}:${social.name}:vs:${info.name}`, treatment: { condition: c.name, arm: social.name }, baseline: { condition: c.name, arm: info.name }, outcome: o, kind: 'direct', messages: ['social', 'info'] });
      }
      for (const arm of others) {
        out.push({
          id: `${c.name}:${arm.name}:friends`,
          treatment: { condition: c.name, arm: arm.name, who: 'friends' },
          baseline: { ...base, who: 'friends' },
          outcome: o,
          kind: 'spillover',
          messages: [arm.message, 'none'],
        });
      }
    }
  }
  return out;
}

export const bond2012 = socioPolProtocol({
  id: 'bond2012',
  title: 'Bond et al. 2012',
  summary: 'One election day; every adult randomised to the social message (98 %), the informational one (1 %) or none (1 %); close friends carry the spillover.',
  defaults: () => structuredClone(BOND_2012_CONFIG),
  contrasts: bondContrasts,
});
