// Command-line settings shared by the scenarios: `npm run bench -- [scenario…] [--rounds 3] [--duration 4] …`,
// or `--summarize [scenario…]`: rebuild the Markdown summaries from the raw JSON, without running any load.

export interface BenchSettings {
  /** Rounds per comparison: every server (or implementation) once per round, in rotating order. */
  rounds: number;
  /** Seconds of load per HTTP run. */
  durationSec: number;
  /** Seconds of unmeasured load per server before its first round (JIT warm-up). */
  warmupSec: number;
  /** Connections for the hello, json, observability and static scenarios. */
  connections: number;
}

export const DEFAULT_SETTINGS: BenchSettings = { rounds: 3, durationSec: 4, warmupSec: 1, connections: 100 };

const FLAGS: Record<string, keyof BenchSettings> = {
  '--rounds': 'rounds',
  '--duration': 'durationSec',
  '--warmup': 'warmupSec',
  '--connections': 'connections',
};

export interface BenchArgs {
  scenarios: string[];
  settings: BenchSettings;
  /** `--summarize`: only rebuild bench/results/<scenario>.md from bench/results/raw/<scenario>.json. */
  summarize: boolean;
}

export function parseArgs(argv: readonly string[]): BenchArgs {
  const settings = { ...DEFAULT_SETTINGS };
  const scenarios: string[] = [];
  let summarize = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    const key = FLAGS[flag];
    if (arg === '--summarize') {
      summarize = true;
    } else if (key !== undefined) {
      const value = Number(inline ?? argv[++i]);
      if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${flag} needs a positive number`);
      settings[key] = key === 'durationSec' || key === 'warmupSec' ? value : Math.round(value);
    } else if (arg.startsWith('-')) {
      throw new TypeError(`Unknown flag ${arg} (known: ${[...Object.keys(FLAGS), '--summarize'].join(', ')})`);
    } else {
      scenarios.push(arg);
    }
  }
  if (settings.rounds < 3 && !summarize) console.warn(`note: ${settings.rounds} round(s); medians want at least 3`);
  return { scenarios, settings, summarize };
}
