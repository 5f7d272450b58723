import { describe, expect, it } from 'vitest';
import { ProtocolError, type ResponseHead, ResponseParser } from '../../src/bench/http1-parser.js';

/** Feeds `reads` to a parser; what it reported, and the bytes left after the end. */
function parse(reads: (string | Buffer)[], opts: { close?: boolean } = {}) {
  const heads: ResponseHead[] = [];
  const body: Buffer[] = [];
  let ends = 0;
  const p = new ResponseParser({ onHead: (h) => heads.push(h), onBody: (b) => body.push(Buffer.from(b)), onEnd: () => ends++ });
  let extra = 0;
  for (const r of reads) extra += p.execute(Buffer.isBuffer(r) ? r : Buffer.from(r));
  const closedCleanly = opts.close ? p.close() : null;
  return { heads, body: Buffer.concat(body).toString('utf8'), ends, extra, closedCleanly };
}

/** Every way of cutting `whole` into two reads at a byte, and one read per byte. */
function everySplit(whole: string): Buffer[][] {
  const bytes = Buffer.from(whole);
  const splits = [[...bytes].map((b) => Buffer.from([b]))];
  for (let i = 1; i < bytes.length; i++) splits.push([bytes.subarray(0, i), bytes.subarray(i)]);
  return splits;
}

const chunked =
  'HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nTransfer-Encoding: chunked\r\nKeep-Alive: timeout=5\r\n\r\n' +
  '19\r\ndata: {"text":"héllo"}\n\n\r\n' + // 25 bytes: é is two
  '5;name=ext\r\nabcde\r\n' +
  '0\r\nX-Trailer: yes\r\n\r\n';

describe('ResponseParser', () => {
  it('de-chunks a chunked body however the reads cut it, through extensions and trailers', () => {
    for (const reads of everySplit(chunked)) {
      const r = parse(reads);
      expect(r.heads).toEqual([{ status: 200, contentType: 'text/event-stream; charset=utf-8', close: false, keepAliveMs: 5000 }]);
      expect(r.body).toBe('data: {"text":"héllo"}\n\nabcde');
      expect([r.ends, r.extra]).toEqual([1, 0]);
    }
  });

  it('reads exactly Content-Length bytes, and a zero-length or 204 body as ended at the head', () => {
    const whole = 'HTTP/1.1 400 Bad Request\r\ncontent-length: 11\r\ncontent-type: application/json\r\n\r\n{"error":1}';
    for (const reads of everySplit(whole)) {
      const r = parse(reads);
      expect(r.heads[0]).toMatchObject({ status: 400, contentType: 'application/json' });
      expect([r.body, r.ends]).toEqual(['{"error":1}', 1]);
    }
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']).ends).toBe(1);
    expect(parse(['HTTP/1.1 204 No Content\r\n\r\n']).ends).toBe(1);
  });

  it('skips 1xx heads to the real one', () => {
    const r = parse(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok']);
    expect(r.heads.map((h) => h.status)).toEqual([200]);
    expect(r.body).toBe('ok');
  });

  it('runs a body without a length to the close, and says whether a close cut a response short', () => {
    const r = parse(['HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"a":', '1}'], { close: true });
    expect(r.heads[0]!.close).toBe(true); // HTTP/1.0 without keep-alive
    expect([r.body, r.ends, r.closedCleanly]).toEqual(['{"a":1}', 1, true]);
    const cut = parse(['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'], { close: true });
    expect([cut.ends, cut.closedCleanly]).toEqual([0, false]);
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab'], { close: true }).closedCleanly).toBe(false);
    expect(parse([], { close: true }).closedCleanly).toBe(true); // nothing under way
  });

  it('reads Connection: close and keep-alive on HTTP/1.0', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n']).heads[0]!.close).toBe(true);
    expect(parse(['HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n']).heads[0]!.close).toBe(false);
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n']).heads[0]).toEqual({ status: 200, contentType: '', close: false, keepAliveMs: null });
  });

  it('counts what comes after the end of a response', () => {
    expect(parse(['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1']).extra).toBe(8);
  });

  it('starts over after reset(), for the next response on the connection', () => {
    const bodies: string[] = [];
    const p = new ResponseParser({ onHead: () => {}, onBody: (b) => bodies.push(b.toString()), onEnd: () => {} });
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na'));
    p.reset();
    p.execute(Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nb'));
    expect(bodies).toEqual(['a', 'b']);
  });

  it('throws a ProtocolError at what is not HTTP/1.x', () => {
    const bad = (s: string) => () => parse([s]);
    expect(bad('SSH-2.0-OpenSSH_9.6\r\n\r\n')).toThrow(ProtocolError);
    expect(bad('SSH-2.0-OpenSSH_9.6\r\n\r\n')).toThrow(/not an HTTP\/1.x status line: "SSH-2.0-OpenSSH_9.6"/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 1, 2\r\n\r\n')).toThrow(/bad Content-Length/);
    expect(bad('HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')).toThrow(/bad Content-Length/);
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n')).toThrow(/bad chunk size: "zz"/);
    expect(bad('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n')).toThrow(/does not end where its size says/);
    expect(bad('HTTP/1.1 200 OK\r\nno colon here\r\n\r\n')).toThrow(/without a name/);
    expect(() => parse(['HTTP/1.1 200 OK\r\nX: ' + 'y'.repeat(70_000)])).toThrow(/longer than 64 KiB/);
  });
});
