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

/** Text of one message part (`delta` or `message`): content, and reasoning, which counts as generated text too. */
function partText(part: unknown): string {
  if (!isObject(part)) return '';
  let text = '';
  if (typeof part.reasoning_content === 'string') text += part.reasoning_content;
  if (typeof part.reasoning === 'string') text += part.reasoning;
  if (typeof part.content === 'string') text += part.content;
  return text;
}

/** Text of one choice: completions put it in `text`, chat in `delta.content` (or `message.content` when not streamed). */
function choiceText(choice: unknown): string {
  if (!isObject(choice)) return '';
  const text = typeof choice.text === 'string' ? choice.text : '';
  return text + partText(choice.delta) + partText(choice.message);
}

const DONE: ChunkMeaning = { kind: 'done' };
const NO_USAGE: Json = {};

/**
 * Reads one event's data (or a JSON response body). It runs once per event of
 * every stream, tens of thousands of times a second, so it allocates little:
 * no trimmed copy (JSON.parse skips the whitespace) and no arrays of its own.
 */
export function readChunk(data: string): ChunkMeaning {
  if (data === '[DONE]' || (data.length < 32 && data.trim() === '[DONE]')) return DONE;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return { kind: 'error', message: `the server sent an event that is not JSON: ${data.trim().slice(0, 80)}` };
  }
  if (!isObject(json)) return { kind: 'error', message: `the server sent an event that is not a JSON object: ${data.trim().slice(0, 80)}` };
  // OpenAI: {"error": {...}}; vLLM also sends {"object": "error", "message": ...}.
  if (json.error !== undefined && json.error !== null) return { kind: 'error', message: errorMessage(json.error) };
  if (json.object === 'error') return { kind: 'error', message: errorMessage(json) };
  let text = '';
  if (Array.isArray(json.choices)) for (const choice of json.choices) text += choiceText(choice);
  const usage = isObject(json.usage) ? json.usage : NO_USAGE;
  return { kind: 'data', text, completionTokens: count(usage.completion_tokens), promptTokens: count(usage.prompt_tokens) };
}
