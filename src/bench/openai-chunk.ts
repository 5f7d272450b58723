/**
 * What one decoded event of an OpenAI-compatible stream (or a whole
 * non-streamed response) says: generated text, token usage, or an error.
 * vLLM, SGLang, TGI, llama.cpp and Ollama all speak this shape, with small
 * differences handled here.
 */
export type ChunkMeaning =
  | { readonly kind: 'done' }
  | { readonly kind: 'error'; readonly message: string }
  | {
      readonly kind: 'data';
      /** Generated text in this chunk ('' for a role-only or usage-only chunk). */
      readonly text: string;
      readonly completionTokens: number | null;
      readonly promptTokens: number | null;
    };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const count = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null);

function errorMessage(e: unknown): string {
  if (typeof e === 'string') return e;
  if (isObject(e) && typeof e.message === 'string') return e.message;
  return JSON.stringify(e);
}

/** Text of one choice: completions put it in `text`, chat in `delta.content` (or `message.content` when not streamed); reasoning counts too. */
function choiceText(choice: unknown): string {
  if (!isObject(choice)) return '';
  let text = typeof choice.text === 'string' ? choice.text : '';
  for (const part of [choice.delta, choice.message]) {
    if (!isObject(part)) continue;
    for (const key of ['reasoning_content', 'reasoning', 'content'])
      if (typeof part[key] === 'string') text += part[key];
  }
  return text;
}

/** Reads one event's data (or a JSON response body). */
export function readChunk(data: string): ChunkMeaning {
  const trimmed = data.trim();
  if (trimmed === '[DONE]') return { kind: 'done' };
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { kind: 'error', message: `the server sent an event that is not JSON: ${trimmed.slice(0, 80)}` };
  }
  if (!isObject(json)) return { kind: 'error', message: `the server sent an event that is not a JSON object: ${trimmed.slice(0, 80)}` };
  // OpenAI: {"error": {...}}; vLLM also sends {"object": "error", "message": ...}.
  if (json.error !== undefined && json.error !== null) return { kind: 'error', message: errorMessage(json.error) };
  if (json.object === 'error') return { kind: 'error', message: errorMessage(json) };
  const choices = Array.isArray(json.choices) ? json.choices : [];
  const usage = isObject(json.usage) ? json.usage : {};
  return {
    kind: 'data',
    text: choices.map(choiceText).join(''),
    completionTokens: count(usage.completion_tokens),
    promptTokens: count(usage.prompt_tokens),
  };
}
