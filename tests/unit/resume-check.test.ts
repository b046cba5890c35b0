// What the page says before resuming an LLM run (issue 14, finding 14).
import { describe, expect, it } from 'vitest';
import { plainHttpToRemote, resumeConfirmText } from '../../src/ui/resume-check';
import type { RunRow } from '../../src/storage/db';

const run = (baseUrl: string, budgetUsd: number | null) =>
  ({ name: 'r', llm: { baseUrl, models: { full: 'a', mini: 'b', nano: 'c' }, budgetUsd, concurrency: 4 }, totals: { costUsd: 0.0123 } }) as unknown as RunRow;

describe('resume confirmation', () => {
  it('should warn on plain http to another computer only', () => {
    expect(plainHttpToRemote('http://192.168.1.20:11434/v1')).toBe(true);
    expect(plainHttpToRemote('http://api.example.com/v1')).toBe(true);
    for (const local of ['http://localhost:11434/v1', 'http://127.0.0.1:8080/v1', 'http://[::1]:1234/v1', 'http://ollama.localhost/v1', 'https://api.example.com/v1']) {
      expect(plainHttpToRemote(local)).toBe(false);
    }
  });

  it('should name the endpoint the key goes to, the spend so far and a changed budget', () => {
    const text = resumeConfirmText(run('http://10.0.0.5:8000/v1', 0.01), 5);
    expect(text).toContain('your API key will be sent to http://10.0.0.5:8000/v1');
    expect(text).toContain('plain http:// to another computer');
    expect(text).toContain('Spent so far over the whole run: $0.0123. Budget for the whole run: $5.00 (changed in Setup; the run had $0.0100).');
    expect(resumeConfirmText(run('', null), null)).toContain('sent to https://api.openai.com/v1');
  });
});
