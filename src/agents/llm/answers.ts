/**
 * What the LLM agents do with any protocol's answers: find the JSON object in a model's text, and ask again with the
 * invalid answer and what was wrong with it (the repair turn). Prompt texts are clipped with `clip` everywhere.
 */
import type { ChatMessage, Validation } from '../../engine/protocol';

/** Collapse whitespace and cut to `max` characters, so one long post cannot blow up a prompt. */
export function clip(text: string, max: number): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length <= max ? t : `${t.slice(0, max - 1)}…`;
}

/**
 * The JSON object in a model's text: the whole text, else a fenced ```json block, else the outermost {…}. Servers
 * without structured outputs often wrap the answer in prose or a fence.
 */
export function extractJson(text: string): Validation<unknown> {
  const candidates: string[] = [text.trim()];
  const fence = /```(?:json)?\s*([\s\S]*?)```/i.exec(text);
  if (fence) candidates.push(fence[1].trim());
  const first = text.indexOf('{');
  const last = text.lastIndexOf('}');
  if (first >= 0 && last > first) candidates.push(text.slice(first, last + 1));
  for (const c of candidates) {
    try {
      return { ok: true, value: JSON.parse(c) };
    } catch {
      // try the next candidate
    }
  }
  return { ok: false, error: 'no JSON object found in the answer' };
}

/**
 * Intent: the repair turn. The full context is resent, followed by the model's invalid answer and what was wrong
 * with it, so a model without structured outputs can correct itself.
 */
export function repairMessages(messages: ChatMessage[], invalidAnswer: string, error: string): ChatMessage[] {
  return [
    ...messages,
    { role: 'assistant', content: clip(invalidAnswer, 2000) },
    { role: 'user', content: `That answer was invalid: ${error}. Reply again with the corrected JSON only.` },
  ];
}
