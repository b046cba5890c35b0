// The persona generator: census marginals at N = 20,000, minors, determinism, close friends, interests, the §A
// tier rule and the census validator.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCensus } from '../../src/cli/load-data';
import { buildNetwork, followers, following, type FollowNetwork } from '../../src/engine/network';
import {
  adultTargets,
  ageBracketOf,
  CENSUS_EDUCATION,
  generatePopulation,
  largestRemainder,
  tierProbabilities,
  validateCensus,
  type CensusData,
  type TargetAttribute,
} from '../../src/population';
import type { Persona } from '../../src/population/types';

const CENSUS_PATH = fileURLToPath(new URL('../../public/data/census.json', import.meta.url));
const census: CensusData = loadCensus(CENSUS_PATH);
const rawCensus = (): Record<string, any> => JSON.parse(JSON.stringify(census));

/** A sparse graph with some reciprocated ties: i follows i+1 and i+7; every third agent follows back i−1. */
function sparseNetwork(n: number): FollowNetwork {
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < n; i++) {
    src.push(i, i);
    dst.push((i + 1) % n, (i + 7) % n);
    if (i % 3 === 0) {
      src.push(i);
      dst.push((i - 1 + n) % n);
    }
  }
  return buildNetwork(n, src, dst);
}

const ATTRIBUTE: Record<TargetAttribute, (p: Persona) => string> = {
  ageBracket: (p) => ageBracketOf(p.age),
  sex: (p) => p.sex,
  raceEthnicity: (p) => p.raceEthnicity,
  state: (p) => p.state,
  education: (p) => p.education,
  party: (p) => p.party,
  ideology: (p) => p.ideology,
  turnoutHabit: (p) => p.turnoutHabit,
  occupation: (p) => p.occupation,
  maritalStatus: (p) => p.maritalStatus,
  countryOfBirth: (p) => p.countryOfBirth,
  workSchedule: (p) => p.workSchedule,
};

/** Largest absolute gap (in share points) between the observed shares and the target shares, over all categories. */
function maxDeviation(people: Persona[], get: (p: Persona) => string, target: Record<string, number>): { gap: number; key: string } {
  const counts: Record<string, number> = {};
  for (const p of people) counts[get(p)] = (counts[get(p)] ?? 0) + 1;
  let gap = 0;
  let key = '';
  for (const k of new Set([...Object.keys(counts), ...Object.keys(target)])) {
    const d = Math.abs((counts[k] ?? 0) / people.length - (target[k] ?? 0));
    if (d > gap) {
      gap = d;
      key = k;
    }
  }
  return { gap, key };
}

const N = 20_000;
const MINOR_SHARE = 0.01075;
const targets = adultTargets(census);
const bigNetwork = sparseNetwork(N);
const populations: Record<number, Persona[]> = {};

beforeAll(() => {
  for (const seed of [1, 2024]) populations[seed] = generatePopulation({ n: N, minorShare: MINOR_SHARE, census, network: bigNetwork, seed });
});

describe('census marginals at N = 20,000', () => {
  for (const seed of [1, 2024]) {
    for (const attr of Object.keys(ATTRIBUTE) as TargetAttribute[]) {
      it(`the adults' ${attr} shares are within 1.5 percentage points of their targets at seed ${seed}`, () => {
        const adults = populations[seed].filter((p) => p.adult);
        const { gap, key } = maxDeviation(adults, ATTRIBUTE[attr], targets[attr]);
        expect(gap, `${attr}: '${key}' is ${(gap * 100).toFixed(2)} points off`).toBeLessThan(0.015);
      });
    }
  }

  it('the published blocks are the targets themselves, not something derived from them', () => {
    // Guards against a target function that drifts from the file: published shares are used as they are.
    for (const [attr, block] of [['ageBracket', 'age'], ['sex', 'sex'], ['raceEthnicity', 'race_ethnicity'], ['party', 'party'], ['ideology', 'ideology'], ['state', 'state']] as const) {
      for (const [k, v] of Object.entries(census[block].shares)) expect(targets[attr][k]).toBeCloseTo(v, 4);
    }
  });

  it('agents aged 25 and over match the census 25+ education table within 1.5 percentage points', () => {
    const over25 = populations[1].filter((p) => p.adult && p.age >= 25);
    const five = (p: Persona): string =>
      p.education === 'some_college' || p.education === 'associate'
        ? 'some_college_or_associate'
        : p.education === 'masters' || p.education === 'professional' || p.education === 'doctorate'
          ? 'graduate'
          : p.education;
    const { gap, key } = maxDeviation(over25, five, census.education.shares);
    expect(gap, `'${key}' is off`).toBeLessThan(0.015);
    expect(new Set(over25.map(five))).toEqual(new Set(CENSUS_EDUCATION));
  });

  it('the turnout habits are calibrated to the first stated likelihoods of the published runs', () => {
    // §C: 1 → 22.2 %, 2 → 13.9 %, 3 or 4 → 63.9 %; low-turnout, occasional and consistent map onto them.
    expect(targets.turnoutHabit['low-turnout']).toBeCloseTo(0.222, 3);
    expect(targets.turnoutHabit.occasional).toBeCloseTo(0.139, 3);
    expect(targets.turnoutHabit.consistent).toBeCloseTo(0.639, 3);
  });
});

describe('joint assumptions', () => {
  const adults = () => populations[1].filter((p) => p.adult);
  const share = (people: Persona[], pred: (p: Persona) => boolean) => people.filter(pred).length / people.length;

  it('no adult under 25 holds a professional degree or a doctorate', () => {
    expect(adults().filter((p) => p.age < 25 && (p.education === 'professional' || p.education === 'doctorate'))).toEqual([]);
  });

  it('professors hold a graduate degree and physicians and lawyers a professional degree or more', () => {
    const ps = adults();
    for (const p of ps.filter((x) => x.occupation === 'professor')) expect(['masters', 'professional', 'doctorate']).toContain(p.education);
    for (const p of ps.filter((x) => x.occupation === 'physician' || x.occupation === 'lawyer')) {
      expect(['masters', 'professional', 'doctorate']).toContain(p.education);
    }
  });

  it('retirees are mostly 65 or older and students mostly 18–24', () => {
    const ps = adults();
    expect(share(ps.filter((p) => p.occupation === 'retired'), (p) => p.age >= 65)).toBeGreaterThan(0.7);
    expect(share(ps.filter((p) => p.occupation === 'student'), (p) => p.age <= 24)).toBeGreaterThan(0.7);
  });

  it('Democrats are more often liberal than Republicans, and Republicans more often conservative', () => {
    const ps = adults();
    const dem = ps.filter((p) => p.party === 'democrat');
    const rep = ps.filter((p) => p.party === 'republican');
    expect(share(dem, (p) => p.ideology === 'liberal')).toBeGreaterThan(share(rep, (p) => p.ideology === 'liberal') + 0.3);
    expect(share(rep, (p) => p.ideology === 'conservative')).toBeGreaterThan(share(dem, (p) => p.ideology === 'conservative') + 0.4);
  });

  it('consistent voting habits rise with age, as the CPS turnout rates do', () => {
    const ps = adults();
    const young = share(ps.filter((p) => p.age <= 24), (p) => p.turnoutHabit === 'consistent');
    const old = share(ps.filter((p) => p.age >= 65), (p) => p.turnoutHabit === 'consistent');
    expect(old).toBeGreaterThan(young + 0.1);
  });

  it('most Asian adults and few White adults are foreign-born', () => {
    const ps = adults();
    expect(share(ps.filter((p) => p.raceEthnicity === 'asian_nh'), (p) => p.countryOfBirth !== 'United States')).toBeGreaterThan(0.5);
    expect(share(ps.filter((p) => p.raceEthnicity === 'white_nh'), (p) => p.countryOfBirth !== 'United States')).toBeLessThan(0.1);
  });

  it('weekly hours fall inside the band of each work schedule and non-workers work 0 hours', () => {
    const bands = new Map(census.assumptions.work_schedule.schedules.map((s) => [s.name, [s.min_hours, s.max_hours]]));
    const wrong = populations[1].filter((p) => {
      const band = bands.get(p.workSchedule);
      return band
        ? p.hoursPerWeek < band[0] || p.hoursPerWeek > band[1]
        : !['retired', 'student', 'not working'].includes(p.workSchedule) || p.hoursPerWeek !== 0;
    });
    expect(wrong).toEqual([]);
    expect(bands.size).toBe(5);
  });
});

describe('minors', () => {
  it('has round(n × minorShare) minors aged 13–17, none of them adult, all at school', () => {
    const minors = populations[1].filter((p) => !p.adult);
    expect(minors.length).toBe(Math.round(N * MINOR_SHARE));
    for (const m of minors) {
      expect(m.age).toBeGreaterThanOrEqual(13);
      expect(m.age).toBeLessThanOrEqual(17);
      expect(m.education).toBe('less_than_high_school');
      expect(m.occupation).toBe('student');
      expect(m.workSchedule).toBe('student');
      expect(m.politicalStance).toMatch(/too young to vote/);
    }
    expect(populations[1].filter((p) => p.adult).every((p) => p.age >= 18)).toBe(true);
  });
});

describe('determinism', () => {
  const small = sparseNetwork(2000);
  const make = (seed: number) => generatePopulation({ n: 2000, minorShare: MINOR_SHARE, census, network: small, seed });

  it('the same seed gives identical personas', () => {
    expect(make(42)).toEqual(make(42));
  });

  it('a different seed gives different personas', () => {
    const a = make(42);
    const b = make(43);
    const differing = a.filter((p, i) => JSON.stringify(p) !== JSON.stringify(b[i])).length;
    expect(differing).toBeGreaterThan(1900);
  });

  it('refuses a network whose size differs from n', () => {
    expect(() => generatePopulation({ n: 10, minorShare: 0, census, network: small, seed: 1 })).toThrow(
      expect.objectContaining({ name: 'ConfigError', message: expect.stringContaining('network has 2000 accounts') }),
    );
  });
});

describe('close friends', () => {
  // 0–9: a ring of mutual pairs plus one-way extras; 10–14 only follow; 15–19 are only followed; 20–29 isolated.
  const src: number[] = [];
  const dst: number[] = [];
  for (let i = 0; i < 10; i++) {
    const j = (i + 1) % 10;
    src.push(i, j, i);
    dst.push(j, i, (i + 5) % 10);
  }
  for (let i = 10; i < 15; i++) {
    src.push(i, i);
    dst.push(i - 10, 15 + (i % 5));
  }
  const net = buildNetwork(30, src, dst);
  const personas = generatePopulation({ n: 30, minorShare: 0.1, census, network: net, seed: 5 });

  it('every agent has 1–7 distinct close friends, never itself', () => {
    for (const p of personas) {
      expect(p.closeFriends.length).toBeGreaterThanOrEqual(1);
      expect(p.closeFriends.length).toBeLessThanOrEqual(7);
      expect(new Set(p.closeFriends).size).toBe(p.closeFriends.length);
      expect(p.closeFriends).not.toContain(p.id);
      for (const f of p.closeFriends) expect(f >= 0 && f < 30).toBe(true);
    }
  });

  it('agents with mutual follows choose close friends among them only', () => {
    for (const p of personas.slice(0, 10)) {
      const out = new Set(following(net, p.id));
      const mutual = [...followers(net, p.id)].filter((x) => out.has(x));
      expect(mutual.length).toBeGreaterThan(0);
      for (const f of p.closeFriends) expect(mutual).toContain(f);
    }
  });

  it('agents without mutual follows fall back to accounts followed, then to followers', () => {
    for (const p of personas.slice(10, 15)) for (const f of p.closeFriends) expect([...following(net, p.id)]).toContain(f);
    for (const p of personas.slice(15, 20)) for (const f of p.closeFriends) expect([...followers(net, p.id)]).toContain(f);
  });

  it('the close friends of the 20,000-agent population are mutual follows wherever the agent has one', () => {
    let withMutual = 0;
    const wrong = populations[1].filter((p) => {
      const out = new Set(following(bigNetwork, p.id));
      const mutual = new Set([...followers(bigNetwork, p.id)].filter((x) => out.has(x)));
      if (mutual.size > 0) withMutual++;
      return mutual.size > 0 && !p.closeFriends.every((f) => mutual.has(f));
    });
    expect(wrong).toEqual([]);
    expect(withMutual).toBeGreaterThan(N / 4);
  });
});

describe('interests, stance and profile', () => {
  const topics = Object.keys(census.assumptions.topics);

  it('each agent has 2–4 distinct interests from the topic list', () => {
    const wrong = populations[1].filter(
      (p) => p.interests.length < 2 || p.interests.length > 4 || new Set(p.interests).size !== p.interests.length || !p.interests.every((t) => topics.includes(t)),
    );
    expect(wrong).toEqual([]);
    expect(new Set(populations[1].map((p) => p.interests.length))).toEqual(new Set([2, 3, 4]));
  });

  it('liberals name climate change more often than conservatives, who name immigration more often', () => {
    const adults = populations[1].filter((p) => p.adult);
    const rate = (ideo: string, topic: string) => {
      const g = adults.filter((p) => p.ideology === ideo);
      return g.filter((p) => p.interests.includes(topic)).length / g.length;
    };
    expect(rate('liberal', 'climate')).toBeGreaterThan(rate('conservative', 'climate') * 2);
    expect(rate('conservative', 'immigration')).toBeGreaterThan(rate('liberal', 'immigration') * 1.3);
  });

  it("each adult's stance phrase names its turnout habit and ends in 'voter'", () => {
    const wrong = populations[1].filter(
      (p) =>
        p.adult &&
        (!p.politicalStance.startsWith(`${p.turnoutHabit} `) ||
          !p.politicalStance.endsWith(' voter') ||
          (p.ideology === 'conservative' && p.party === 'republican' && !p.politicalStance.includes('conservative Republican'))),
    );
    expect(wrong).toEqual([]);
    expect(populations[1].find((p) => p.adult && p.party === 'democrat' && p.ideology === 'liberal')?.politicalStance).toMatch(
      /^(consistent|occasional|low-turnout) progressive Democratic voter$/,
    );
  });

  it('the public profile gives a first name, the age, the state and the interests', () => {
    for (const p of populations[1].slice(0, 500)) {
      expect(p.publicProfile).toMatch(new RegExp(`^[A-Z][a-z-]+, ${p.age}, .+ in ${p.state}, posts about `));
      for (const t of p.interests) expect(p.publicProfile).toContain(census.assumptions.topics[t].label);
    }
  });
});

describe('LLM tiers', () => {
  it('applies the §A multipliers: a 45-year-old analyst with a doctorate', () => {
    // full 0.004·3·2·1.5 = 0.036, mini 0.016·1.5·1.3·1.2 = 0.03744, nano 0.98·0.5·0.7·0.8 = 0.2744.
    const p = tierProbabilities({ age: 45, education: 'doctorate', occupation: 'analyst' });
    const total = 0.036 + 0.03744 + 0.2744;
    expect(p.full).toBeCloseTo(0.036 / total, 10);
    expect(p.mini).toBeCloseTo(0.03744 / total, 10);
    expect(p.nano).toBeCloseTo(0.2744 / total, 10);
  });

  it('gives the base weights to a 25-year-old cashier without a degree and treats a professional degree as a master’s', () => {
    const base = tierProbabilities({ age: 25, education: 'high_school', occupation: 'cashier' });
    expect(base.full).toBeCloseTo(0.004, 10);
    expect(base.mini).toBeCloseTo(0.016, 10);
    expect(tierProbabilities({ age: 35, education: 'professional', occupation: 'manager' })).toEqual(
      tierProbabilities({ age: 35, education: 'masters', occupation: 'manager' }),
    );
  });

  // Tolerance: 4 standard errors of a sum of independent Bernoulli draws. A correct sampler fails at a given seed
  // with probability below 1e-4 (and the seeds are fixed, so the test is deterministic); a sampler that ignored the
  // multipliers would put 'full' near 0.4 % instead of the expected ≈ 1.2 %, about 7 standard errors away.
  it('tier counts match the sum of tier probabilities within 4 standard errors, overall and for doctorates aged 40+', () => {
    for (const seed of [1, 2024]) {
      const groups = [populations[seed], populations[seed].filter((p) => p.education === 'doctorate' && p.age >= 40)];
      for (const group of groups) {
        for (const tier of ['full', 'mini', 'nano'] as const) {
          let expected = 0;
          let variance = 0;
          for (const p of group) {
            const q = tierProbabilities(p)[tier];
            expected += q;
            variance += q * (1 - q);
          }
          const observed = group.filter((p) => p.tier === tier).length;
          expect(Math.abs(observed - expected), `${tier} in a group of ${group.length}`).toBeLessThanOrEqual(4 * Math.sqrt(variance));
        }
      }
      const nano = populations[seed].filter((p) => p.tier === 'nano').length / N;
      expect(nano).toBeGreaterThan(0.9);
    }
  });
});

describe('validateCensus', () => {
  const refuse = (raw: unknown, ...fragments: string[]) => {
    let err: unknown;
    try {
      validateCensus(raw);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ name: 'DataError' });
    for (const f of fragments) expect((err as Error).message).toContain(f);
  };

  it('accepts the bundled census file', () => {
    expect(validateCensus(rawCensus()).age.shares['65+']).toBeCloseTo(0.229, 3);
  });

  it('refuses a census with a missing block, naming it', () => {
    const raw = rawCensus();
    delete raw.party;
    refuse(raw, 'census.json: party is missing');
  });

  it('refuses shares that sum to 0.8, naming the field and the fix', () => {
    const raw = rawCensus();
    for (const k of Object.keys(raw.age.shares)) raw.age.shares[k] *= 0.8;
    refuse(raw, 'age.shares sum to 0.8', 'summing to 1 ± 0.01');
  });

  it('refuses a negative share, naming the field', () => {
    const raw = rawCensus();
    raw.sex.shares.male = -0.49;
    refuse(raw, 'sex.shares.male is negative');
  });

  it('refuses an assumption table that misses a row the generator needs', () => {
    const raw = rawCensus();
    delete raw.assumptions.party_by_race.propensity.black_nh;
    refuse(raw, 'assumptions.party_by_race.propensity.black_nh');
  });

  it('generatePopulation refuses an unvalidated malformed census with the same DataError', () => {
    const raw = rawCensus();
    delete raw.assumptions.topics;
    const network = buildNetwork(3, [0, 1], [1, 2]);
    expect(() => generatePopulation({ n: 3, minorShare: 0, census: raw as CensusData, network, seed: 1 })).toThrow(
      expect.objectContaining({ name: 'DataError', message: expect.stringContaining('assumptions.topics is missing') }),
    );
  });

  it('loadCensus reports a malformed file as a DataError naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'census-'));
    const path = join(dir, 'census.json');
    writeFileSync(path, '{ "age": ');
    expect(() => loadCensus(path)).toThrow(expect.objectContaining({ name: 'DataError', message: expect.stringContaining(path) }));
  });
});

describe('largestRemainder', () => {
  it('hands out exactly the total, proportionally, with ties to the lower index', () => {
    expect([...largestRemainder(10, [1, 1, 1])]).toEqual([4, 3, 3]);
    expect([...largestRemainder(7, [0.5, 0.25, 0.25])]).toEqual([3, 2, 2]);
    expect([...largestRemainder(0, [1, 2])]).toEqual([0, 0]);
  });
});
