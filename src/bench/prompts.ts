import { seededRandom } from './arrivals.js';

/**
 * Random prompts of about `tokens` tokens, without a tokenizer: common short
 * English words, which BPE tokenizers (Llama, GPT, Qwen) take as one token
 * each with their leading space. The server's `usage.prompt_tokens` gives the
 * real count when it sends one; otherwise this estimate is used and marked.
 */
const WORDS = (
  'the of and to in is it that for on was with he as at by be this had not are but from or have an they which one you were her all she there would ' +
  'their we him been has when who will more no if out so said what up its about into than them can only other new some could time these two may then do first any'
).split(' ');

export function randomPrompt(tokens: number, seed: number): string {
  const random = seededRandom(seed);
  const out: string[] = [];
  for (let i = 0; i < tokens; i++) out.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return out.join(' ');
}
