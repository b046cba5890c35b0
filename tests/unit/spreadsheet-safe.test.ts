// Spreadsheet-safe CSV copies (issue 14, finding 10): formula-like text is neutralised, numbers and layout are kept.
import { describe, expect, it } from 'vitest';
import { engagementCsv } from '../../src/engine/reporters';
import { safeCell, spreadsheetSafeCsv } from '../../src/analysis/spreadsheet-safe';

describe('spreadsheet-safe CSV', () => {
  it('should prefix text that a spreadsheet would run as a formula, and leave numbers and plain text alone', () => {
    for (const t of ['=HYPERLINK("http://x","y")', '+1 555', '-not a number', '@SUM(A1)', '\tx']) expect(safeCell(t)).toBe(`'${t}`);
    for (const t of ['-15', '-0.5', '+3', '1e-3', '30', 'plain reply', '', "'already"]) expect(safeCell(t)).toBe(t);
  });

  it('should rewrite model-written replies in an engagement table, keeping every other cell and the quoting', () => {
    const raw = engagementCsv([
      { round: -3, agent: 4, kind: 'reply', postId: 7, target: 2, text: '=HYPERLINK("http://evil.example","click"), really' },
      { round: 5, agent: 1, kind: 'like', postId: 8, target: 3 },
      { round: 6, agent: 2, kind: 'reply', postId: 9, target: 3, text: 'line one\n@everyone line two' },
      { round: 7, agent: 3, kind: 'reply', postId: 9, target: 3, text: '-5 is my guess' },
    ]);
    const safe = spreadsheetSafeCsv(raw);
    expect(safe.split('\n')[0]).toBe('round,agent_id,kind,post_id,target_id,text');
    expect(safe).toContain('-3,4,reply,7,2,"\'=HYPERLINK(""http://evil.example"",""click""), really"');
    expect(safe).toContain('5,1,like,8,3,\n');
    // Only a cell's first character matters: a formula sign after a line break inside the cell is not at its start.
    expect(safe).toContain('6,2,reply,9,3,"line one\n@everyone line two"');
    expect(safe).toContain("7,3,reply,9,3,'-5 is my guess");
    // Nothing else changed: removing the added apostrophes gives the raw file back.
    expect(safe.replace(/'(?=[=+\-@])/g, '')).toBe(raw);
  });
});
