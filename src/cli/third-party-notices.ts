/**
 * The third-party notices of what `dist/` ships: a Vite plugin that, at the end of every build, lists the npm packages
 * whose modules ended up in the emitted chunks (the Svelte runtime, Dexie, the openai SDK, sigma, …) and writes
 * `THIRD-PARTY-NOTICES.txt` next to index.html with each package's name, version, licence and licence text, read from
 * node_modules. Generated, so it cannot drift from what is actually bundled.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, sep } from 'node:path';
import type { Plugin } from 'vite';

export interface PackageNotice {
  name: string;
  version: string;
  license: string;
  text: string;
}

/** The package a module id belongs to (the last node_modules segment; scoped names kept), or null. */
export function packageOf(moduleId: string): string | null {
  const id = moduleId.replace(/^\0/, '').split('?')[0].split(sep).join('/');
  const at = id.lastIndexOf('/node_modules/');
  if (at < 0) return null;
  const parts = id.slice(at + '/node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Name, version, licence and the licence file's text of an installed package (a clear marker if it has none). */
export function noticeFor(name: string, root = process.cwd()): PackageNotice {
  const dir = join(root, 'node_modules', name);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: string; license?: string | { type?: string } };
  const license = typeof pkg.license === 'string' ? pkg.license : pkg.license?.type ?? 'UNKNOWN';
  const file = existsSync(dir) ? readdirSync(dir).find((f) => /^(licen[cs]e|copying)(\.(md|txt))?$/i.test(f)) : undefined;
  const text = file ? readFileSync(join(dir, file), 'utf8').trim() : `(no licence file in the package; its package.json declares ${license})`;
  return { name, version: pkg.version ?? '?', license, text };
}

export function noticesText(notices: PackageNotice[]): string {
  const head = [
    'Third-party software shipped in this build of Spillover',
    '',
    'Generated at build time from node_modules by src/cli/third-party-notices.ts: every npm package with code in the',
    'emitted JavaScript, with its licence. Spillover itself is under the MIT licence (LICENSE).',
    '',
    ...notices.map((n) => `- ${n.name} ${n.version} (${n.license})`),
    '',
  ];
  const bodies = notices.map((n) => `${'='.repeat(78)}\n${n.name} ${n.version} — ${n.license}\n${'='.repeat(78)}\n\n${n.text}\n`);
  return head.join('\n') + '\n' + bodies.join('\n');
}

/** Packages seen in this build: worker bundles are built (during the main pass) before the main bundle is written. */
const seen = new Set<string>();

/**
 * The Vite plugin: collects packages from the chunks' module ids; with `emit` (the main build) it also writes
 * THIRD-PARTY-NOTICES.txt for everything seen, workers included. Use `emit: false` in `worker.plugins`.
 */
export function thirdPartyNotices({ emit = true, root = process.cwd() }: { emit?: boolean; root?: string } = {}): Plugin {
  return {
    name: 'spillover-third-party-notices',
    apply: 'build',
    generateBundle(_options, bundle) {
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        for (const id of chunk.moduleIds) {
          const name = packageOf(id);
          if (name) seen.add(name);
        }
      }
      if (!emit) return;
      const notices = [...seen].sort().map((name) => noticeFor(name, root));
      this.emitFile({ type: 'asset', fileName: 'THIRD-PARTY-NOTICES.txt', source: noticesText(notices) });
    },
  };
}
