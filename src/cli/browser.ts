/**
 * A static file server and a headless Chromium launcher shared by the end-to-end tests and the app benchmark. The
 * built app is served under a sub-path (as on a course page) so both prove the build works away from the site root.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Where Debian's `chromium` package puts the browser; override with SPILLOVER_CHROMIUM. */
export const CHROMIUM_PATH = process.env.SPILLOVER_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.edges': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/plain; charset=utf-8',
};

export interface StaticServer {
  /** Absolute URL of the served folder, ending in '/', e.g. http://127.0.0.1:43121/course/spillover/. */
  url: string;
  /** Paths requested that did not exist (a build that reaches for the site root shows up here). */
  notFound: string[];
  close(): Promise<void>;
}

/**
 * Serve `dir` read-only at `http://127.0.0.1:<free port><base>`. Anything outside `base` is a 404, so an asset linked
 * from '/' instead of relative to the page fails loudly.
 */
export async function serveDirectory(dir: string, base = '/course/spillover/'): Promise<StaticServer> {
  const root = resolve(dir);
  if (!existsSync(join(root, 'index.html'))) {
    throw new Error(`static server: ${join(root, 'index.html')} does not exist; build the app first with 'npm run build'`);
  }
  const notFound: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path === base.slice(0, -1)) {
      res.writeHead(301, { location: base });
      res.end();
      return;
    }
    const rel = path.startsWith(base) ? path.slice(base.length) || 'index.html' : null;
    const file = rel === null ? null : normalize(join(root, rel));
    if (!file || !(file === root || file.startsWith(root + sep)) || !existsSync(file) || !statSync(file).isFile()) {
      notFound.push(path);
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end(`not found: ${path}`);
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${base}`,
    notFound,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}

/** Launch the system Chromium headless (with `extraArgs` too); the message says how to install it when it is missing. */
export async function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`browser: ${CHROMIUM_PATH} does not exist; install Chromium (Debian/Ubuntu: 'apt-get install -y chromium') or set SPILLOVER_CHROMIUM to its path`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: [...CHROMIUM_ARGS, ...extraArgs] });
}
