/**
 * GET `url` as text; rejects with a short reason (connection refused, HTTP
 * 404, no answer in 2 s). Node's own fetch: these are one-off requests (the
 * model list, a /metrics scrape a second), not the load.
 */
export async function getText(url: string, timeoutMs: number, apiKey: string | null = null): Promise<string> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { headers: apiKey ? { authorization: `Bearer ${apiKey}` } : {}, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (e) {
    const err = e as Error & { cause?: Error & { code?: string } };
    if (err.name === 'TimeoutError') throw new Error(`no answer in ${timeoutMs / 1000} s`);
    const code = err.cause?.code;
    if (code === 'ECONNREFUSED') throw new Error('connection refused');
    throw new Error(code ?? err.cause?.message ?? err.message);
  }
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${text.trim().slice(0, 200)}`);
  return text;
}
