import { type Dispatcher, request } from 'undici';

/** GET `url` as text; rejects with a short reason (connection refused, HTTP 404, no answer in 2 s). */
export async function getText(url: string, timeoutMs: number, dispatcher?: Dispatcher, apiKey: string | null = null): Promise<string> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(url, {
      dispatcher,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {},
    });
  } catch (e) {
    const err = e as Error & { code?: string };
    if (err.code === 'ECONNREFUSED') throw new Error('connection refused');
    if (err.code === 'UND_ERR_HEADERS_TIMEOUT' || err.code === 'UND_ERR_BODY_TIMEOUT') throw new Error(`no answer in ${timeoutMs / 1000} s`);
    throw new Error(err.code ?? err.message);
  }
  const text = await res.body.text();
  if (res.statusCode !== 200) throw new Error(`HTTP ${res.statusCode}: ${text.trim().slice(0, 200)}`);
  return text;
}
