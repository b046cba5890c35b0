/**
 * The strict JSON answer of an S3 LLM agent (emotion, attitude, action, repost id or post text) and its validator,
 * which re-checks what a schema cannot say (the reposted message is in this round's feed, the post has text and fits)
 * and maps the answer to an S3Decision. An invalid answer is reported, never repaired into a made-up value.
 */
import type { JsonSchemaFormat, Validation } from '../../engine/protocol';
import { ACTIONS, ATTITUDES, EMOTIONS, type AttitudeValue, type EmotionLevel, type S3Action, type S3Decision, type S3Request } from './types';

/** Longest post an agent may write, in characters. */
export const S3_POST_MAX_CHARS = 280;

export function s3Schema(): JsonSchemaFormat {
  return {
    name: 's3_decision',
    strict: true,
    schema: {
      type: 'object',
      properties: {
        emotion: { type: 'string', enum: [...EMOTIONS] },
        attitude: { type: 'string', enum: [...ATTITUDES] },
        action: { type: 'string', enum: [...ACTIONS] },
        repost_id: { type: ['integer', 'null'] },
        post_text: { type: ['string', 'null'] },
      },
      required: ['emotion', 'attitude', 'action', 'repost_id', 'post_text'],
      additionalProperties: false,
    },
  };
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Check one answer against the request it answers. */
export function validateS3Answer(raw: unknown, req: Pick<S3Request, 'messages'>): Validation<S3Decision> {
  if (!isRecord(raw)) return { ok: false, error: 'the answer is not a JSON object' };
  const emotion = EMOTIONS.indexOf(raw.emotion as never);
  if (emotion < 0) return { ok: false, error: `emotion '${String(raw.emotion)}' is not one of ${EMOTIONS.join(', ')}` };
  const attitude = ATTITUDES.indexOf(raw.attitude as never);
  if (attitude < 0) return { ok: false, error: `attitude '${String(raw.attitude)}' is not one of ${ATTITUDES.join(', ')}` };
  const action = raw.action as S3Action;
  if (!ACTIONS.includes(action)) return { ok: false, error: `action '${String(raw.action)}' is not one of ${ACTIONS.join(', ')}` };
  let repostId: number | null = null;
  let postText: string | null = null;
  if (action === 'repost') {
    const id = raw.repost_id;
    if (typeof id !== 'number' || !Number.isInteger(id)) return { ok: false, error: 'action is repost but repost_id is not a message number' };
    if (!req.messages.some((m) => m.id === id)) return { ok: false, error: `repost_id ${id} is not a message in this round's feed (${req.messages.map((m) => m.id).join(', ') || 'empty'})` };
    repostId = id;
  }
  if (action === 'post') {
    const t = raw.post_text;
    if (typeof t !== 'string' || t.trim() === '') return { ok: false, error: 'action is post but post_text is empty' };
    if (t.length > S3_POST_MAX_CHARS) return { ok: false, error: `post_text has ${t.length} characters; at most ${S3_POST_MAX_CHARS}` };
    postText = t.trim();
  }
  return {
    ok: true,
    value: { emotion: emotion as EmotionLevel, attitude: attitude as AttitudeValue, opinion: attitude, action, repostId, postText },
  };
}
