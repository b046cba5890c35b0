/**
 * SocioPol's prompts as the generic LLM agents take them: the messages, schema and validator of one activation and of
 * the election-day question, and a representative request for cost estimates.
 */
import type { LlmPrompts } from '../../engine/protocol';
import type { Persona } from '../../population/types';
import { compactActivation } from './compact';
import { activationMessages, voteMessages } from './prompts';
import { SAMPLE_PERSONA, typicalActivation } from './samples';
import { activationSchema, validateActivation, validateVote, voteSchema } from './schema';
import type { SocioPolDecision, SocioPolMemory, SocioPolRequest, VoteAnswer, VoteQuestion } from './types';

export const socioPolPrompts: LlmPrompts<SocioPolRequest, SocioPolDecision, SocioPolMemory, VoteQuestion, VoteAnswer, Persona> = {
  activationMessages,
  activationSchema: (req, agent) => activationSchema(req.vote !== null, req.invitedToPost, agent.interests),
  validateActivation,
  finalMessages: (req, agent) => voteMessages(req, agent),
  finalSchema: voteSchema,
  validateFinal: (raw) => {
    const v = validateVote(raw);
    return v.ok ? { ok: true, value: { voted: v.value } } : v;
  },
  compactActivation,
  typicalActivation: (config) => ({ request: typicalActivation(config), agent: SAMPLE_PERSONA }),
  typicalFinal: () => ({ request: { agentId: SAMPLE_PERSONA.id, condition: 'treatment_soc_message', lastLikelihood: 3, treatedEver: true }, agent: SAMPLE_PERSONA }),
};
