import { type Command, Option } from 'commander';
import { HISTORY_DB_HELP } from '../flags.js';
import { addSourceOptions, optionParser, parseSeconds } from '../../shared/options.js';
import { type BenchHttpFlags, parseRate, positiveNumber, wholeNumber } from './flags.js';

/** `gpumon bench http`: load an OpenAI-compatible server while the GPUs are watched. */
export function addBenchHttpCommand(bench: Command): void {
  const http = addBenchHttpOptions(bench.command('http').description('load an OpenAI-compatible server, as vllm bench serve'));
  http.action(async (flags: BenchHttpFlags) => {
    process.exitCode = await (await import('./run.js')).runBenchHttp(flags, process.env);
  });
}

/** The options of one `bench http` run, GPU source included (also every point of `bench sweep`). */
export function addBenchHttpOptions(http: Command): Command {
  http
    .option('--base-url <url>', 'the server (default: http://127.0.0.1:8000; with --demo a built-in simulated one)')
    .option('--endpoint <path>', '/v1/completions or /v1/chat/completions (default: /v1/completions)')
    .option('--model <name>', 'model to ask for (default: the first GET /v1/models lists)')
    .option('--api-key <key>', 'bearer token (or $OPENAI_API_KEY)')
    .option('--preset <name>', 'start from a preset in the settings (bench.presets); flags override it')
    .addOption(new Option('--num-prompts <n>', 'requests to send (default: 1000; unlimited with --duration)').argParser(wholeNumber('--num-prompts', 1)))
    .addOption(new Option('--request-rate <rps>', 'requests per second, or inf: all at once (default: inf)').argParser(optionParser(parseRate)))
    .addOption(new Option('--burstiness <f>', 'gamma shape of the gaps: 1 = Poisson, < 1 burstier').argParser(positiveNumber('--burstiness')).default(1))
    .addOption(new Option('--max-concurrency <n>', 'at most this many requests in flight').argParser(wholeNumber('--max-concurrency', 1)))
    .addOption(new Option('--num-warmups <n>', 'unmeasured requests first').argParser(wholeNumber('--num-warmups', 0)).default(0))
    .addOption(new Option('--random-input-len <n>', 'prompt tokens (default: 1024)').argParser(wholeNumber('--random-input-len', 1)))
    .addOption(new Option('--random-output-len <n>', 'max_tokens (default: 128)').argParser(wholeNumber('--random-output-len', 1)))
    .option('--ignore-eos', 'ask the server to generate all max_tokens (vLLM, SGLang)')
    .option('--percentile-metrics <list>', 'sections with percentiles: ttft,tpot,itl,e2el', 'ttft,tpot,itl,e2el')
    .option('--metric-percentiles <list>', 'percentiles to report, e.g. 50,90,99', '99')
    .option('--goodput <slo...>', 'SLOs in ms, e.g. ttft:500 tpot:50 (request goodput)')
    .option('--save-result', 'write the result JSON')
    .option('--save-detailed', 'with it, per-request arrays (ttfts, itls, input_lens, output_lens, errors)')
    .option('--result-filename <path>', 'where to write it (implies --save-result)')
    .addOption(new Option('--duration <seconds>', 'stop sending after this long').argParser(optionParser(parseSeconds('--duration', 0.1, 7 * 86400))))
    .addOption(new Option('--iterations <n>', 'repeat the run; report mean, σ, min, max across them').argParser(wholeNumber('--iterations', 1)).default(1))
    .addOption(new Option('--seed <n>', 'seed for prompts and arrival times').argParser(wholeNumber('--seed', 0)).default(0))
    .addOption(new Option('--idle-timeout <seconds>', 'fail a request that sends nothing for this long').argParser(optionParser(parseSeconds('--idle-timeout', 0.01, 3600))).default(30_000, '30'))
    .addOption(new Option('--idle-baseline <seconds>', 'measure idle GPU power this long first (0: skip)').argParser(optionParser((t: string) => (t.trim() === '0' ? 0 : parseSeconds('--idle-baseline', 0.1, 600)(t)))).default(2000, '2'))
    .option('--server-metrics <url>', "scrape the server's Prometheus /metrics during the run")
    .option('--history-db <path>', HISTORY_DB_HELP);
  addSourceOptions(http);
  // The GPUs are read at 10 Hz for energy, whatever the monitor's interval.
  http.options.find((o) => o.long === '--interval')?.hideHelp();
  return http;
}
