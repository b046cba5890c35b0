/**
 * A run paused part-way shows results as of its last stored round: the heading and the finding say so, the spillover
 * row (social roll-out, untreated vs the same agents in control) equals an independent computation from the raw
 * IndexedDB rows at that round, and the charts draw nothing past it. The graph's spillover colouring compares each
 * untreated agent who follows a treated account with the same agent in control, and its counts match the same raw rows.
 */
import { expect, test } from 'vitest';
import { openTab, runButton, runStatuses, storedRows, useApp } from './harness';

const servers = useApp();

/** A stored round row, as far as these checks read it. */
interface StoredRound {
  condition: string;
  round: number;
  columns: { likelihood: Int8Array };
  treated: Uint8Array;
}

interface Independent {
  round: number;
  estimate: number;
  untreated: number;
  treated: number;
}

interface StoredNetwork {
  n: number;
  src: Int32Array;
  dst: Int32Array;
}

interface StoredPersonas {
  personas: Array<{ adult: boolean }>;
}

/** The spillover of the social roll-out (untreated vs the same agents in control) at the last round every condition stored. */
function independentEffect(rows: StoredRound[]): Independent {
  const main = rows.filter((r) => r.condition !== 'warmup');
  const conditions = [...new Set(main.map((r) => r.condition))];
  const round = Math.min(...conditions.map((c) => Math.max(...main.filter((r) => r.condition === c).map((r) => r.round))));
  const at = (c: string) => main.find((r) => r.condition === c && r.round === round)!;
  const ex = at('experiment_soc_message');
  const ctl = at('control');
  let sum = 0;
  let untreated = 0;
  let treated = 0;
  for (let a = 0; a < ex.columns.likelihood.length; a++) {
    if (ex.columns.likelihood[a] < 0 || ctl.columns.likelihood[a] < 0) continue;
    if (ex.treated[a]) {
      treated++;
      continue;
    }
    untreated++;
    sum += (ex.columns.likelihood[a] >= 3 ? 1 : 0) - (ctl.columns.likelihood[a] >= 3 ? 1 : 0);
  }
  return { round, estimate: sum / untreated, untreated, treated };
}

/** The graph's colour counts at round 10 of the social roll-out, from the raw rows, network and personas. */
function spilloverCounts(rows: StoredRound[], net: StoredNetwork, people: StoredPersonas): Record<string, number> {
  const ex = rows.find((r) => r.condition === 'experiment_soc_message' && r.round === 10)!;
  const ctl = rows.find((r) => r.condition === 'control' && r.round === 10)!;
  const followsTreated = new Uint8Array(net.n);
  for (let i = 0; i < net.src.length; i++) if (ex.treated[net.dst[i]]) followsTreated[net.src[i]] = 1;
  const out = { treated: 0, spillHigher: 0, spillSame: 0, spillLower: 0, neither: 0 };
  for (let a = 0; a < net.n; a++) {
    if (!people.personas[a].adult) continue;
    if (ex.treated[a]) out.treated++;
    else if (!followsTreated[a]) out.neither++;
    else if (ex.columns.likelihood[a] >= 0 && ctl.columns.likelihood[a] >= 0 && ex.columns.likelihood[a] > ctl.columns.likelihood[a]) out.spillHigher++;
    else if (ex.columns.likelihood[a] >= 0 && ctl.columns.likelihood[a] >= 0 && ex.columns.likelihood[a] < ctl.columns.likelihood[a]) out.spillLower++;
    else out.spillSame++;
  }
  return out;
}

test('a paused run shows its effects as of the last stored round, equal to an independent computation', async () => {
  const { page, context, errors } = await openTab(servers.app);
  await runButton(page).click();
  const bar = page.locator('[role="progressbar"]');
  // 171 records: 16 warm-up rounds, 30 × 5 condition rounds, 5 elections. 40 % lands in the main rounds (round ≥ 10).
  await expect.poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 120_000, interval: 50 }).toBeGreaterThanOrEqual(40);
  await page.getByRole('button', { name: '❚❚ Pause' }).click();
  await expect.poll(() => runStatuses(page), { timeout: 60_000 }).toEqual(['paused']);

  const asOf = page.locator('#results .asof.partial');
  await asOf.waitFor({ timeout: 30_000 });
  const shownRound = Number(await asOf.getAttribute('data-round'));

  // Independent of the app's analysis code: raw IndexedDB rows, the protocol's own `likelihood` column (last stated likelihood)
  // and `treated` flags at the last round every condition has stored.
  const ind = independentEffect(await storedRows<StoredRound>(page, 'rounds'));

  expect(ind.round).toBeGreaterThanOrEqual(10);
  expect(ind.round).toBeLessThan(30);
  expect(shownRound).toBe(ind.round);
  // The roll-out has treated some adults by then: the untreated are the rest, not every adult.
  expect(ind.treated).toBeGreaterThan(200);
  await expect(page.locator('#res-h').innerText()).resolves.toMatch(new RegExp(`partial, as of round ${ind.round} of 30`));
  await expect(page.locator('#results .finding').innerText()).resolves.toMatch(new RegExp(`at round ${ind.round}`));

  const row = page.locator(`#results table.effects tr[data-treatment="experiment_soc_message:untreated"][data-baseline="control"][data-outcome="share_likely_r${ind.round}"]`);
  await expect(row.count()).resolves.toBe(1);
  expect(Number(await row.getAttribute('data-estimate'))).toBeCloseTo(ind.estimate, 12);
  const cells = await row.locator('td').allInnerTexts();
  const pp = 100 * ind.estimate;
  expect(cells[2]).toBe(`${pp > 0 ? '+' : pp < 0 ? '−' : ''}${Math.abs(pp).toFixed(2)} pp`);
  expect(cells.at(-1)).toBe(`${ind.untreated.toLocaleString('en-US')} / ${ind.untreated.toLocaleString('en-US')}`);

  // Nothing drawn past the last stored round: every line ends left of the "not run yet" band.
  for (const label of ['How likely are people to vote?', 'Share of likely voters']) {
    const svg = page.locator(`#results svg[aria-label="${label}"]`);
    const band = Number(await svg.locator('rect[fill="#f3f4f6"]').getAttribute('x'));
    const maxX = await svg.locator('path').evaluateAll((paths) =>
      Math.max(...paths.flatMap((p) => [...(p.getAttribute('d') ?? '').matchAll(/[ML]([\d.]+),/g)].map((m) => Number(m[1])))),
    );
    expect(maxX).toBeLessThanOrEqual(band + 0.05);
  }

  // The graph opens on the social roll-out at the end of its first period (round 10), no later than the stored round.
  const graph = page.locator('section[aria-labelledby="graph-h"]');
  await graph.scrollIntoViewIfNeeded();
  const legend = graph.locator('.legend');
  await expect.poll(() => legend.getAttribute('data-round'), { timeout: 30_000 }).toBe('10');
  await expect(legend.getAttribute('data-condition')).resolves.toBe('experiment_soc_message');
  await expect(graph.locator('input[type="range"]').getAttribute('max')).resolves.toBe(String(ind.round));
  await expect(legend.innerText()).resolves.toMatch(/a higher last stated likelihood than the same agent in control/);
  const shown: Record<string, number> = {};
  for (const key of ['treated', 'spillHigher', 'spillSame', 'spillLower', 'neither']) {
    shown[key] = Number(await legend.locator(`[data-key="${key}"]`).getAttribute('data-count'));
  }
  const rows = await storedRows<StoredRound>(page, 'rounds');
  const [net] = await storedRows<StoredNetwork>(page, 'networks');
  const [people] = await storedRows<StoredPersonas>(page, 'personas');
  const expected = spilloverCounts(rows, net, people);
  expect(shown).toEqual(expected);
  expect(expected.treated).toBeGreaterThan(200);

  expect(errors).toEqual([]);
  await context.close();
});
