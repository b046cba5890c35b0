/**
 * Census-drawn personas, in parts: census figures and their validation, quota allocation and IPF, targets, the LLM
 * tier rule, stance texts and the generator. Protocols whose agents are U.S.-like adults use this.
 */
export * from './types';
export * from './census';
export * from './allocation';
export * from './targets';
export * from './tiers';
export * from './stance';
export * from './generate';
