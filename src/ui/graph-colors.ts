/**
 * The one colour table of the follower graph: every colour a node can take, by colouring, with the legend label that
 * explains it. The graph controller picks entries by key and the legend and the PNG export print the same entries, so
 * a colour and its meaning cannot drift apart.
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
  spillHigher: { color: '#7c2d12', label: 'no message, follows someone who got it, and more likely to vote than the same agent in control (drawn larger)' },
  spillSame: { color: '#fcd34d', label: 'no message, follows someone who got it, same as the same agent in control' },
  spillLower: { color: '#1d4ed8', label: 'no message, follows someone who got it, less likely to vote than the same agent in control' },
  exposed: { color: '#fcd34d', label: 'no message, follows someone who got it' },
  neither: { color: '#cbd5e1', label: 'no message, follows nobody who got it' },
  // Difference from the same agent in control (common random numbers: same persona, network and draws).
  vsHigher2: { color: '#065f46', label: '+2 or more than in control' },
  vsHigher: { color: '#22c55e', label: '+1 than in control' },
  vsSame: { color: '#d1d5db', label: 'same as in control' },
  vsLower: { color: '#2563eb', label: 'lower than in control' },
  // Change since the end of the warm-up.
  up2: { color: '#065f46', label: '+2 or more since round 0' },
  up1: { color: '#22c55e', label: '+1 since round 0' },
  flat: { color: '#d1d5db', label: 'no change since round 0' },
  down: { color: '#2563eb', label: 'lower than at round 0' },
} as const satisfies Record<string, Swatch>;

export type GraphColorKey = keyof typeof GRAPH_COLORS;

/** Stated likelihood 0…4, from "definitely not" (dark red) to "definitely will" (dark green). */
export const LIKELIHOOD_SWATCHES: Swatch[] = [
  { color: '#991b1b', label: '0 definitely not' },
  { color: '#f97316', label: '1 probably not' },
  { color: '#facc15', label: '2 maybe' },
  { color: '#84cc16', label: '3 probably will' },
  { color: '#15803d', label: '4 definitely will' },
];

const EXPOSURE_FROM: [number, number, number] = [229, 231, 235];
const EXPOSURE_TO: [number, number, number] = [109, 40, 217];

function mix(t: number): string {
  const c = EXPOSURE_FROM.map((x, i) => Math.round(x + (EXPOSURE_TO[i] - x) * t));
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The exposure scale, one string per quantised share 0…255, built once (the reducers index it, allocating nothing). */
export const EXPOSURE_SCALE: string[] = Array.from({ length: 256 }, (_, q) => mix(q / 255));

export const EXPOSURE_SWATCHES: Swatch[] = [
  { color: mix(0), label: '0 % of followed accounts got the message' },
  { color: mix(0.5), label: '50 %' },
  { color: mix(1), label: '100 %' },
];
