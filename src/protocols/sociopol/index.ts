/**
 * LLM-SocioPol (Shirani & Bayati 2025) as a registered protocol: five conditions over 30 rounds, a 0–4 voting
 * likelihood per activation, informational and social get-out-the-vote messages, and election day.
 */
import { DEFAULT_CONFIG } from './defaults';
import { socioPolProtocol } from './protocol';

export const sociopol = socioPolProtocol({
  id: 'sociopol',
  title: 'LLM-SocioPol',
  summary: 'Five conditions over 30 rounds: control, informational and social messages every round, and nested roll-outs of each; election day after round 30.',
  defaults: () => structuredClone(DEFAULT_CONFIG),
});
