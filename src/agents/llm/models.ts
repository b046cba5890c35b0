/**
 * The default model of each tier, in one place for the LLM agents, the CLI and the setup screen (a small module with
 * no SDK import, so the page can read it without loading the client).
 */
import type { Tier } from '../../engine/types';

export const DEFAULT_MODELS: Readonly<Record<Tier, string>> = { full: 'gpt-4.1', mini: 'gpt-4.1-mini', nano: 'gpt-4.1-nano' };
