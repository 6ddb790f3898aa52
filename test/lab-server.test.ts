/**
 * The lab server's security (issue 9): it listens on 127.0.0.1 only, serves only the page and the chosen run (any
 * traversal, encoded or not, and any absolute path is a 404), refuses a foreign Host header with 403 (DNS
 * rebinding) and a repeated Host header or CONNECT with 400, answers only GET and HEAD; and `vaekit serve` rejects
 * bad flags, runs and invalid models with exit code 2.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { connect } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLabServer, type LabServer } from '../src/server/lab-server.js';
import { VaekitError } from '../src/errors.js';
import { initBackend, Rng } from '../src/engine/index.js';
import { modelSchema } from '../src/config/schema.js';
import { buildModel } from '../src/models/index.js';
import { saveModel } from '../src/io/model-files.js';

let dir: string;
let server: LabServer;

/** One raw request: the target is sent as written (no normalization), the Host header as given (none when null). */
function get(target: string, { host, method = 'GET' }: { host?: string | null; method?: string } = {}): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const headers = host === null ? {} : { host: host ?? `127.0.0.1:${server.port}` };
    const req = request({ host: '127.0.0.1', port: server.port, path: target, method, headers, setHost: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vaekit-lab-server-'));
  const dist = path.join(dir, 'dist');
  mkdirSync(path.join(dist, 'assets'), { recursive: true });
  writeFileSync(path.join(dist, 'index.html'), '<!doctype html><title>lab</title>');
  writeFileSync(path.join(dist, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(path.join(dir, 'secret.txt'), 'SECRET');
  writeFileSync(path.join(dir, 'model.json'), '{"format":"vaekit-model"}');
  const assets = new Map([['/run/model.json', { file: path.join(dir, 'model.json') }]]);
  server = await startLabServer({ distDir: dist, assets, port: 0 });
});

afterAll(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the lab server', () => {
  it('serves the page, its assets and the run with their content types', async () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`);
    const page = await get('/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect((await get('/index.html')).body).toContain('<title>lab</title>');
    expect((await get('/assets/app.js')).headers['content-type']).toMatch(/^text\/javascript/);
    const model = await get('/run/model.json?x=1');
    expect(model.status).toBe(200);
    expect(model.body).toContain('vaekit-model');
    const head = await get('/index.html', { method: 'HEAD' });
    expect([head.status, head.body]).toEqual([200, '']);
  });

  it.each([
    '/../secret.txt',
    '/assets/../../secret.txt',
    '/assets/../index.html',
    '/%2e%2e/secret.txt',
    '/%2E%2E%2Fsecret.txt',
    '/assets/%2e%2e/%2e%2e/secret.txt',
    '/..%2f..%2fsecret.txt',
    '/..%5csecret.txt',
    '/%252e%252e/secret.txt',
    '/run/../../secret.txt',
    '/run/%2e%2e/%2e%2e/secret.txt',
    '//etc/passwd',
    '/etc/passwd',
    '/%2fetc%2fpasswd',
    '/%00/index.html',
    '/%zz',
  ])('answers 404 to the traversal or absolute path %s', async (target) => {
    const r = await get(target);
    expect(r.status).toBe(404);
    expect(r.body).not.toContain('SECRET');
  });

  it('answers 404 to the file system path of a file outside the page, and to an absolute-form target', async () => {
    expect((await get(path.join(dir, 'secret.txt'))).status).toBe(404);
    expect((await get(`http://127.0.0.1:${server.port}/../secret.txt`)).status).toBe(404);
  });

  it.each(['127.0.0.1:PORT', 'localhost:PORT', 'LOCALHOST:PORT', '[::1]:PORT'])('accepts the Host header %s', async (host) => {
    expect((await get('/', { host: host.replace('PORT', String(server.port)) })).status).toBe(200);
  });

  it.each(['evil.example:PORT', 'evil.example', '127.0.0.1', 'localhost', '127.0.0.1:1', '127.0.0.1.evil.example:PORT', '10.0.0.1:PORT'])(
    'refuses the Host header %s with 403 (DNS rebinding)',
    async (host) => {
      const r = await get('/run/model.json', { host: host.replace('PORT', String(server.port)) });
      expect(r.status).toBe(403);
      expect(r.body).not.toContain('vaekit-model');
    },
  );

  it('refuses a request without a Host header, and methods other than GET and HEAD', async () => {
    // Node's HTTP parser itself answers 400 to an HTTP/1.1 request with no Host; either way nothing is served.
    const bare = await get('/run/model.json', { host: null });
    expect([400, 403]).toContain(bare.status);
    expect(bare.body).not.toContain('vaekit-model');
    const post = await get('/index.html', { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
  });

  /** The status line of the reply to a raw request (HTTP/1.1 with Connection: close, or CONNECT), or 'no reply'. */
  const rawStatus = (text: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port: server.port }, () => socket.write(text));
      let reply = '';
      socket.on('data', (chunk: Buffer) => (reply += chunk.toString()));
      socket.on('close', () => resolve(reply.split('\r\n')[0] || 'no reply'));
      socket.on('error', reject);
    });

  it('answers 400 to a request with two Host headers, even when the first is its own (RFC 9112 3.2)', async () => {
    const own = `127.0.0.1:${server.port}`;
    expect(await rawStatus(`GET /run/model.json HTTP/1.1\r\nHost: ${own}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 200 OK');
    expect(await rawStatus(`GET /run/model.json HTTP/1.1\r\nHost: ${own}\r\nHost: evil.com\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatus(`GET /run/model.json HTTP/1.1\r\nHost: ${own}\r\nHost: ${own}\r\nConnection: close\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
  });

  it('answers CONNECT with 400 instead of dropping the connection', async () => {
    expect(await rawStatus('CONNECT evil.com:443 HTTP/1.1\r\nHost: evil.com:443\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(await rawStatus(`CONNECT 127.0.0.1:${server.port} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toBe('HTTP/1.1 400 Bad Request');
  });

  it('listens on 127.0.0.1 only: another address of this machine is refused', async () => {
    const external = Object.values(os.networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!external) return; // no other interface to try here
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: external.address, port: server.port }, () => {
        socket.destroy();
        resolve('connected');
      });
      socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
    });
    expect(outcome).toBe('ECONNREFUSED');
  });

  it('reports a port in use as a usage error naming --port', async () => {
    const err = await startLabServer({ distDir: path.join(dir, 'dist'), port: server.port }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VaekitError);
    expect((err as Error).message).toBe(`--port ${server.port}: the port is in use on 127.0.0.1; pick another (--port 0 takes any free port)`);
  });
});

describe('vaekit serve input errors', () => {
  const bin = path.resolve(__dirname, '..', 'bin', 'vaekit.js');
  const serve = (...args: string[]) => spawnSync(process.execPath, [bin, 'serve', ...args], { encoding: 'utf8', timeout: 60_000 });

  it.each([
    [['--port', '70000'], "--port: '70000' is not a port; expected an integer from 1 to 65535 (or 0 for any free port)"],
    [['--port', 'http'], "--port: 'http' is not a port; expected an integer from 1 to 65535 (or 0 for any free port)"],
    [['--port', '-1'], "--port: '-1' is not a port; expected an integer from 1 to 65535 (or 0 for any free port)"],
    [['/no/such/run'], "RUN: '/no/such/run' is not a folder"],
  ])('%j exits 2 with a clear message', (args, message) => {
    const r = serve(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trim()).toBe(`vaekit: ${message}`);
  });

  it('a folder without a model exits 2 naming the files it looked for', () => {
    const empty = path.join(dir, 'empty-run');
    mkdirSync(empty);
    const r = serve(empty);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`${empty}: no model found (expected ${path.join(empty, 'model', 'model.json')} or ${path.join(empty, 'model.json')})`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('an invalid model (a NaN weight, kind "gan") exits 2 at start with the loader\'s one line, serving nothing', async () => {
    await initBackend('cpu');
    const config = modelSchema.parse({ kind: 'vae', latent: 2, encoder: { hidden: [4] }, decoder: { hidden: [4] }, likelihood: { kind: 'bernoulli' } });
    const model = buildModel(config, 3, new Rng(1), { inputShape: [3] });
    const nan = path.join(dir, 'nan-model');
    saveModel(nan, model, { inputShape: [3], preprocessing: { kind: 'none' } });
    const gan = path.join(dir, 'gan-model');
    saveModel(gan, model, { inputShape: [3], preprocessing: { kind: 'none' } });
    model.dispose();
    const bytes = readFileSync(path.join(nan, 'weights.bin'));
    new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setFloat32(4, NaN, true);
    writeFileSync(path.join(nan, 'weights.bin'), bytes);
    writeFileSync(path.join(gan, 'model.json'), JSON.stringify({ ...JSON.parse(readFileSync(path.join(gan, 'model.json'), 'utf8')), kind: 'gan' }));

    for (const [run, line] of [
      [nan, `${path.join(nan, 'weights.bin')}: weight 'encoder.dense0.kernel' [1] is NaN, expected finite values with |w| <= 1000000`],
      [gan, `${path.join(gan, 'model.json')}: kind is 'gan', expected one of autoencoder, vae, poor-man-vae, cvae, beta-tcvae, dip-vae, info-vae, wae-mmd, rae, factor-vae, vq-vae, vamp-prior, flow-vae, hierarchical-vae`],
    ]) {
      const r = serve(run, '--port', '0');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(`vaekit: ${line}`);
    }
  }, 120_000);
});
