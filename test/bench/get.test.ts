import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getText } from '../../src/bench/get.js';

let server: http.Server | null = null;
afterEach(() => new Promise<void>((done) => (server ? (server.closeAllConnections(), server.close(() => done())) : done())));

async function serve(handler: http.RequestListener): Promise<string> {
  server = http.createServer(handler);
  await new Promise<void>((ok) => server!.listen(0, '127.0.0.1', ok));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

describe('getText', () => {
  it('returns the body of a 200, sending the key as a bearer token', async () => {
    let auth: string | undefined;
    const url = await serve((req, res) => ((auth = req.headers.authorization), res.end('{"data":[]}')));
    expect(await getText(`${url}/v1/models`, 1000, 'sk-x')).toBe('{"data":[]}');
    expect(auth).toBe('Bearer sk-x');
  });

  it('rejects with the status and the start of the body otherwise', async () => {
    const url = await serve((_req, res) => ((res.statusCode = 404), res.end('  no such route\n')));
    await expect(getText(url, 1000)).rejects.toThrow(/^HTTP 404: no such route$/);
  });

  it('says a refused connection and a silent server in a few words', async () => {
    const url = await serve(() => {});
    await expect(getText(url, 200)).rejects.toThrow(/^no answer in 0\.2 s$/);
    server!.closeAllConnections();
    await new Promise((done) => server!.close(done));
    server = null;
    await expect(getText(url, 1000)).rejects.toThrow(/^connection refused$/);
  });
});
