/**
 * The one colour table of the follower graph: every colour a node can take, by colouring, with the legend label that
 * explains it. The graph controller picks entries by key and the legend and the PNG export print the same entries, so
 * a colour and its meaning cannot drift apart. Labels speak of the protocol's declared column and the baseline
 * condition through the placeholders {value} and {baseline}, filled by the controller.
 */

export interface Swatch {
  color: string;
  label: string;
}

export const GRAPH_COLORS = {
  minor: { color: '#e5e7eb', label: 'minor (never treated, never asked)' },
  unknown: { color: '#f3f4f6', label: 'no answer yet' },
  // Who got the message, and how the untreated who follow treated accounts compare with themselves in control.
  treated: { color: '#dc2626', label: 'got the message' },
  spillHigher: { color: '#7c2d12', label: 'no message, follows someone who got it, and a higher {value} than the same agent in {baseline} (drawn larger)' },
  spillSame: { color: '#fcd34d', label: 'no message, follows someone who got it, same as the same agent in {baseline}' },
  spillLower: { color: '#1d4ed8', label: 'no message, follows someone who got it, and a lower {value} than the same agent in {baseline}' },
  exposed: { color: '#fcd34d', label: 'no message, follows someone who got it' },
  neither: { color: '#cbd5e1', label: 'no message, follows nobody who got it' },
  // Difference from the same agent in the baseline (common random numbers: same persona, network and draws).
  vsHigher2: { color: '#065f46', label: '+2 or more than in {baseline}' },
  vsHigher: { color: '#22c55e', label: 'higher than in {baseline}' },
  vsSame: { color: '#d1d5db', label: 'same as in {baseline}' },
  vsLower: { color: '#2563eb', label: 'lower than in {baseline}' },
  // Change since the end of the warm-up.
  up2: { color: '#065f46', label: '+2 or more since round 0' },
  up1: { color: '#22c55e', label: 'higher since round 0' },
  flat: { color: '#d1d5db', label: 'no change since round 0' },
  down: { color: '#2563eb', label: 'lower than at round 0' },
} as const satisfies Record<string, Swatch>;

export type GraphColorKey = keyof typeof GRAPH_COLORS;

/** Five levels from the lowest (dark red) to the highest (dark green): a 0–4 scale's colours. */
const LEVEL_COLORS = ['#991b1b', '#f97316', '#facc15', '#84cc16', '#15803d'];
const LOW: [number, number, number] = [153, 27, 27];
const HIGH: [number, number, number] = [21, 128, 61];

function ramp(from: [number, number, number], to: [number, number, number], t: number): string {
  const c = from.map((x, i) => Math.round(x + (to[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** One swatch per level of a declared scale (value = index), labelled 'value wording'. */
export function levelSwatches(levels: readonly string[]): Swatch[] {
  const k = levels.length;
  return levels.map((label, i) => ({ color: k === LEVEL_COLORS.length ? LEVEL_COLORS[i] : ramp(LOW, HIGH, k > 1 ? i / (k - 1) : 1), label: `${i} ${label}` }));
}

/** A column without declared levels: one colour per quantised position 0…255 between its lowest and highest value. */
export const VALUE_SCALE: string[] = Array.from({ length: 256 }, (_, q) => ramp(LOW, HIGH, q / 255));

const EXPOSURE_FROM: [number, number, number] = [229, 231, 235];
const EXPOSURE_TO: [number, number, number] = [109, 40, 217];

const mix = (t: number) => ramp(EXPOSURE_FROM, EXPOSURE_TO, t);

/** The exposure scale, one string per quantised share 0…255, built once (the reducers index it, allocating nothing). */
export const EXPOSURE_SCALE: string[] = Array.from({ length: 256 }, (_, q) => mix(q / 255));

export const EXPOSURE_SWATCHES: Swatch[] = [
  { color: mix(0), label: '0 % of followed accounts got the message' },
  { color: mix(0.5), label: '50 %' },
  { color: mix(1), label: '100 %' },
];
