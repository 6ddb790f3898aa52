/**
 * The lab's HTTP server: serves the built page and one run's model and examples, nothing else. Requests are matched
 * against a fixed table of URL paths built at start (no path from a request ever reaches the file system), only GET
 * and HEAD are answered, and a Host header other than the server's own is refused (DNS rebinding); a repeated Host
 * header and CONNECT get 400.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** What one URL path serves: a file read at request time (so a re-saved model is served fresh) or fixed bytes. */
export type Asset = { file: string } | { bytes: Uint8Array; type?: string };

/** Options of {@link startLabServer}. */
export interface LabServerOptions {
  /** The built page (web/dist). */
  distDir: string;
  /** Extra assets by URL path, e.g. `/run/model.json`. */
  assets?: Map<string, Asset>;
  /** 0 picks a free port. */
  port: number;
}

/** A running lab server. */
export interface LabServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

// The page loads only its own scripts, styles and data; wasm needs 'wasm-unsafe-eval', blob: serves the downloads.
const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob: data:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Every file under `dir` by URL path (`/index.html`, `/assets/x.js`); `/` serves index.html. */
function distAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (sub: string) => {
    for (const entry of readdirSync(path.join(dir, sub), { withFileTypes: true })) {
      const rel = path.posix.join(sub, entry.name);
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile()) out.set(`/${rel}`, { file: path.join(dir, rel) });
    }
  };
  walk('');
  const index = out.get('/index.html');
  if (index) out.set('/', index);
  return out;
}

/** The decoded path of a request target, or undefined for anything but an origin-form path ('/...'). */
function requestPath(target: string | undefined): string | undefined {
  if (!target || !target.startsWith('/') || target.startsWith('//')) return undefined;
  const raw = target.split(/[?#]/, 1)[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined; // malformed %-escapes
  }
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function handler(assets: Map<string, Asset>, allowedHosts: () => Set<string>) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    res.setHeader('x-content-type-options', 'nosniff');
    res.setHeader('referrer-policy', 'no-referrer');
    res.setHeader('cross-origin-resource-policy', 'same-origin');
    res.setHeader('content-security-policy', CSP);
    // Node keeps only the first of repeated Host headers; HTTP/1.1 requires a 400 for more than one (RFC 9112, 3.2).
    const hosts = req.headersDistinct.host ?? [];
    if (hosts.length > 1) return send(res, 400, 'bad request: more than one Host header\n', { connection: 'close' });
    if (!allowedHosts().has((hosts[0] ?? '').toLowerCase())) return send(res, 403, 'forbidden: the Host header is not this server\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    const urlPath = requestPath(req.url);
    const asset = urlPath === undefined ? undefined : assets.get(urlPath);
    if (!asset) return send(res, 404, 'not found\n');
    let body: Uint8Array;
    try {
      body = 'file' in asset ? readFileSync(asset.file) : asset.bytes;
    } catch {
      return send(res, 404, 'not found\n');
    }
    const name = 'file' in asset ? asset.file : urlPath!;
    const type = ('type' in asset && asset.type) || TYPES[path.extname(name).toLowerCase()] || 'application/octet-stream';
    // Hashed bundle files never change; everything else (the page, the run's model) is revalidated.
    const cache = urlPath!.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
    res.writeHead(200, { 'content-type': type, 'content-length': body.byteLength, 'cache-control': cache });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

/**
 * Starts the server on 127.0.0.1 (only this machine can reach it) and resolves once it listens; a port in use or not
 * permitted is a UsageError naming --port.
 *
 * @example
 * const server = await startLabServer({ distDir: 'web/dist', assets, port: 5180 });
 * console.log(server.url); // http://127.0.0.1:5180/
 */
export async function startLabServer({ distDir, assets, port }: LabServerOptions): Promise<LabServer> {
  if (!statSync(distDir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`${distDir}: the built lab is missing`);
  const host = '127.0.0.1';
  const table = distAssets(distDir);
  for (const [key, value] of assets ?? []) table.set(key, value);
  let hosts = new Set<string>();
  const server: Server = createServer(handler(table, () => hosts));
  // A CONNECT (a proxy tunnel) never reaches the handler; without a listener Node would drop the connection unanswered.
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    const body = 'bad request: this server is not a proxy\n';
    socket.end(`HTTP/1.1 400 Bad Request\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE') reject(new UsageError(`--port ${port}: the port is in use on ${host}; pick another (--port 0 takes any free port)`));
      else if (err.code === 'EACCES') reject(new UsageError(`--port ${port}: not permitted to listen on ${host}:${port}; pick a port above 1023`));
      else reject(err);
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  hosts = new Set([`127.0.0.1:${bound}`, `localhost:${bound}`, `[::1]:${bound}`]);
  return {
    url: `http://127.0.0.1:${bound}/`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
