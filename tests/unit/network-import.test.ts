/**
 * The SNAP-style edge-list parser: what it accepts (comments, tabs, CRLF, chunks split anywhere), how labels become ids,
 * what it counts as dropped, and refusals that name the source and the line.
 */
import { describe, expect, it } from 'vitest';
import { EdgeListParser, networkToEdgeList, parseEdgeList } from '../../src/engine/network-import';
import { following, followers, type FollowNetwork } from '../../src/engine/network';
import { generateTwitterNetwork } from '../../src/engine/network-generator';

function rows(net: FollowNetwork): number[][] {
  return Array.from({ length: net.n }, (_, a) => Array.from(following(net, a)));
}

function named(net: FollowNetwork): string[] {
  const out: string[] = [];
  for (let a = 0; a < net.n; a++) for (const b of following(net, a)) out.push(`${net.labels?.[a] ?? a}>${net.labels?.[b] ?? b}`);
  return out.sort();
}

const MESSY = [
  '# SNAP-style header',
  '% a KONECT-style comment',
  '',
  '  ',
  '12 13',
  '12\t14\r',
  '13 12',
  '12 13',
  '7 7',
  '14   12  ',
  '\t13\t14',
  '',
].join('\n');

describe('edge-list import', () => {
  it('should skip comments and blank lines, accept tabs and CRLF, and count dropped self-loops and duplicates', () => {
    const { network, stats } = parseEdgeList(MESSY, 'messy.edges');
    expect(stats).toEqual({ lines: 11, comments: 2, edges: 5, selfLoops: 1, duplicates: 1, nodes: 4 });
    // Labels sorted numerically: 7, 12, 13, 14 → ids 0…3; 7 appears only in a self-loop but is still an account.
    expect(network.labels).toEqual(['7', '12', '13', '14']);
    expect(named(network)).toEqual(['12>13', '12>14', '13>12', '13>14', '14>12']);
    expect(Array.from(followers(network, 1))).toEqual([2, 3]);
  });

  it('should keep ids when the labels are exactly 0…n−1, and drop the labels', () => {
    const { network } = parseEdgeList('2 0\n0 1\n1 2\n', 'ids.edges');
    expect(network.labels).toBeUndefined();
    expect(rows(network)).toEqual([[1], [2], [0]]);
  });

  it('should keep labels with leading zeros distinct from the integer they spell', () => {
    const { network, stats } = parseEdgeList('0 1\n00 1\n007 7\n', 'zeros.edges');
    expect(stats.nodes).toBe(5);
    expect(network.labels).toEqual(['0', '00', '007', '1', '7']);
  });

  it('should order non-numeric labels by code unit', () => {
    const { network } = parseEdgeList('bob alice\nalice carol\n007 bob\n', 'names.edges');
    expect(network.labels).toEqual(['007', 'alice', 'bob', 'carol']);
    expect(named(network)).toEqual(['007>bob', 'alice>carol', 'bob>alice']);
  });

  it('should refuse a line with three fields, naming the source and the line number', () => {
    const text = '1 2\n# note\n2 3 0.5\n';
    expect(() => parseEdgeList(text, 'my.edges')).toThrowError(
      "network import (my.edges): line 3 has 3 fields; expected 'follower followee'",
    );
    try {
      parseEdgeList(text, 'my.edges');
    } catch (err) {
      expect((err as Error).name).toBe('DataError');
    }
  });

  it('should refuse a line with a single field, also when it is the last line without a newline', () => {
    expect(() => parseEdgeList('1 2\n3\n4 5\n', 'one.edges')).toThrowError(/one\.edges\): line 2 has 1 field;/);
    expect(() => parseEdgeList('1 2\n3', 'tail.edges')).toThrowError(/tail\.edges\): line 2 has 1 field;/);
  });

  it('should refuse a file without any edge', () => {
    expect(() => parseEdgeList('# only a comment\n\n5 5\n', 'empty.edges')).toThrowError(/without any edge/);
  });

  it('should give the same network and counts whatever the chunk boundaries', () => {
    const whole = parseEdgeList(MESSY, 'messy.edges');
    for (let size = 1; size <= 7; size++) {
      const parser = new EdgeListParser('messy.edges');
      for (let i = 0; i < MESSY.length; i += size) parser.push(MESSY.slice(i, i + size));
      const chunked = parser.finish();
      expect(chunked.stats).toEqual(whole.stats);
      expect(named(chunked.network)).toEqual(named(whole.network));
    }
    // Every single split point, including between \r and \n.
    for (let cut = 0; cut <= MESSY.length; cut++) {
      const parser = new EdgeListParser('messy.edges');
      parser.push(MESSY.slice(0, cut));
      parser.push(MESSY.slice(cut));
      expect(parser.finish().stats).toEqual(whole.stats);
    }
  });

  it('should report the right line number when the bad line is split across chunks', () => {
    const parser = new EdgeListParser('split.edges');
    parser.push('1 2\n3 4\n5 6 ');
    expect(() => {
      parser.push('7\n8 9\n');
    }).toThrowError(/split\.edges\): line 3 has 3 fields/);
  });

  it('should round-trip a generated network through networkToEdgeList and parseEdgeList', () => {
    const net = generateTwitterNetwork({ n: 300, seed: 7 });
    const text = networkToEdgeList(net, { header: ['generated for a test'] });
    expect(text.startsWith('# generated for a test\n')).toBe(true);
    const back = parseEdgeList(text, 'roundtrip.edges');
    expect(back.stats.edges).toBe(net.outTargets.length);
    expect(back.stats.nodes).toBe(net.n);
    expect(rows(back.network)).toEqual(rows(net));
  });

  it('should round-trip an imported network with its original labels', () => {
    const { network } = parseEdgeList(MESSY, 'messy.edges');
    const back = parseEdgeList(networkToEdgeList(network), 'again.edges');
    // The self-loop-only account 7 cannot be written in an edge list, so it is lost.
    expect(back.network.labels).toEqual(['12', '13', '14']);
    expect(named(back.network)).toEqual(named(network));
  });
});
