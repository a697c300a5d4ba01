// The short Markdown summary of one scenario, bench/results/<scenario>.md,
// built from its raw JSON (bench/results/raw/<scenario>.json) and nothing
// else, so that `node dist/bench/run.js --summarize` rebuilds every summary
// without running any load. Each holds: the command, date, node version,
// machine and commit; a table of medians, where each ratio is the median of
// the per-round ratios with their range across rounds; the goal lines; and a
// one-line reading. The raw JSON keeps every round for whoever wants more.

import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { HttpRun } from './http-compare';
import { RAW_DIR, RESULTS_DIR } from './results';
import { median, ratio } from './stats';
import { markdownTable, num, type Cell } from './table';

/** What every raw result file holds (a scenario's, or the soak's). */
interface RawResult {
  scenario: string;
  description?: string;
  command: string;
  /** The soak keeps its date here; scenarios in `machine.date`. */
  date?: string;
  machine: MachineLike;
  settings: Record<string, unknown>;
  summary?: unknown;
  runs?: unknown;
  findings?: string[];
}

/** MachineInfo (bench/lib/machine.ts), or the soak's older, smaller record. */
interface MachineLike {
  cpuModel?: string;
  cpus?: number;
  memoryGiB?: number;
  os?: string;
  node?: string;
  loadAverage?: number[];
  loadAverageAtStart?: number[];
  date?: string;
  revision?: string;
}

/** Writes bench/results/<scenario>.md for one result; returns its path. */
export function writeSummary(result: object): string {
  const raw = result as RawResult;
  const file = path.join(RESULTS_DIR, `${raw.scenario}.md`);
  writeFileSync(file, summaryMarkdown(raw));
  return file;
}

/** Rebuilds bench/results/<name>.md from bench/results/raw/<name>.json for the names given (all when none). */
export function summarizeRaw(names: readonly string[] = []): string[] {
  const available = existsSync(RAW_DIR)
    ? readdirSync(RAW_DIR)
        .filter((file) => file.endsWith('.json'))
        .map((file) => file.slice(0, -'.json'.length))
        .sort()
    : [];
  const missing = names.filter((name) => !available.includes(name));
  if (missing.length > 0) {
    throw new TypeError(
      `No raw results for ${missing.join(', ')} in ${path.relative(process.cwd(), RAW_DIR)} (have: ${available.join(', ') || 'none'})`,
    );
  }
  return (names.length === 0 ? available : names).map((name) =>
    writeSummary(JSON.parse(readFileSync(path.join(RAW_DIR, `${name}.json`), 'utf8')) as RawResult),
  );
}

export function summaryMarkdown(result: RawResult): string {
  const sections =
    result.scenario === 'soak'
      ? soakSections(result as SoakResult)
      : result.scenario === 'profile'
        ? profileSections(result)
        : isHttpRuns(result.runs)
          ? httpSections(result, result.runs)
          : roundSections(result);
  const findings = result.findings ?? sections.findings ?? [];
  const goals = findings.filter((line) => GOAL.test(line)).map((line) => line.replace(GOAL, '**$1** '));
  const others = findings.filter((line) => !GOAL.test(line)).map((line) => line.replace(/^(info)?\s+/, ''));
  const lines = [
    `# ${result.scenario}`,
    '',
    ...[`${result.description ?? DESCRIPTIONS[result.scenario] ?? result.scenario}.`, ''],
    ...header(result),
    '',
    ...sections.tables.flatMap((table) => [table, '']),
    '## Goals',
    '',
    ...(goals.length === 0 ? ['None for this scenario.'] : goals.map((line) => `- ${line}`)),
    ...(others.length === 0 ? [] : ['', 'Also measured:', '', ...others.map((line) => `- ${line}`)]),
    '',
    `**Reading:** ${reading(goals, sections.headline)}`,
    '',
    `Raw data: \`bench/results/raw/${result.scenario}.json\` (not committed). ` +
      `Rebuild this file from it: \`node dist/bench/run.js --summarize ${result.scenario}\`.`,
    '',
  ];
  return lines.join('\n');
}

/** For results that do not describe themselves. */
const DESCRIPTIONS: Record<string, string> = {
  soak: 'The demo app under sustained overload, its heap watched (bench/soak.ts, not part of `npm run bench`)',
};

/** A goal line from bench/lib/scenario.ts's goal(): `MET    …`, `MISSED …`, `n/a    …`. */
const GOAL = /^(MET|MISSED|n\/a)\s+/;

interface Sections {
  /** Markdown, each with its `###` title. */
  tables: string[];
  /** The numbers that matter most, in words, for the reading. */
  headline: string;
  /** For results that carry no findings of their own (the soak). */
  findings?: string[];
}

function header(result: RawResult): string[] {
  const m = result.machine;
  const date = result.date ?? m.date;
  const load = m.loadAverage ?? m.loadAverageAtStart;
  const machine = [
    m.cpuModel ?? 'unknown CPU',
    m.cpus === undefined ? undefined : `${m.cpus} cores (shared by the load generator and the server under test)`,
    m.memoryGiB === undefined ? undefined : `${m.memoryGiB} GiB`,
    m.os,
  ].filter((part) => part !== undefined);
  const s = result.settings;
  const settings =
    result.scenario === 'soak'
      ? [
          `${String(s['workers'])} workers, a queue of ${String(s['queue'])}`,
          `handler ${String(s['handlerMs'])} ms`,
          `${String(s['connections'])} connections in ${String(s['lanes'])} autocannon lanes`,
          `${String(s['warmup'])} s warm-up, ${String(s['settle'])} s settle`,
        ]
      : [
          typeof s['rounds'] === 'number' ? plural(s['rounds'], 'round') : undefined,
          // Run lengths and connections differ by phase: each table's title has them.
          isHttpRuns(result.runs) || result.scenario === 'profile' ? `${String(s['warmupSec'])} s warm-up` : undefined,
        ].filter((part) => part !== undefined);
  return [
    `- Command: \`${result.command}\``,
    `- Date: ${date === undefined ? 'not recorded' : date.replace('T', ' ').replace(/:\d\d(\.\d+)?Z$/, ' UTC')}`,
    `- Node: ${m.node ?? 'not recorded'}`,
    `- Machine: ${machine.join(', ')}${load === undefined ? '' : `; load average at start ${load.join(' ')}`}`,
    `- Commit: ${m.revision ?? 'not recorded'}`,
    ...(settings.length === 0 ? [] : [`- Settings: ${settings.join(', ')}`]),
  ];
}

function reading(goals: readonly string[], headline: string): string {
  const met = goals.filter((line) => line.startsWith('**MET**')).length;
  const count = goals.length === 0 ? 'no goals here' : `${met} of ${plural(goals.length, 'goal')} met`;
  return headline === '' ? `${count}.` : `${count}; ${headline}.`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

// ---------------------------------------------------------------------------
// Ratios across rounds.

/** A ratio's digits: two decimals, or two significant digits below 0.1 (Array at depth 1e5: 0.00053). */
function ratioDigits(value: number): string {
  return Math.abs(value) >= 0.1 || value === 0 ? value.toFixed(2) : value.toPrecision(2);
}

/** `0.88×` for one ratio; '—' when missing. */
function times(value: number): string {
  return Number.isFinite(value) ? `${ratioDigits(value)}×` : '—';
}

/** `0.88× (0.85–0.91)`: the median of the per-round ratios and their range; no range when they agree. */
function ratioCell(ratios: readonly number[]): string {
  const finite = ratios.filter((value) => Number.isFinite(value));
  if (finite.length === 0) return '—';
  const low = ratioDigits(Math.min(...finite));
  const high = ratioDigits(Math.max(...finite));
  return `${times(median(finite))}${finite.length < 2 || low === high ? '' : ` (${low}–${high})`}`;
}

/** `1,234 (1,100–1,300)`: a median with the range of the values behind it. */
function valueCell(values: readonly number[], digits: number): string {
  const finite = values.filter((value) => Number.isFinite(value));
  if (finite.length < 2) return num(median(finite), digits);
  return `${num(median(finite), digits)} (${num(Math.min(...finite), digits)}–${num(Math.max(...finite), digits)})`;
}

/** One value per round of `a ÷ b`, pairing records by `round` (and whatever `same` says). */
function perRound<T extends { round: number }>(
  records: readonly T[],
  isA: (r: T) => boolean,
  isB: (r: T) => boolean,
  pick: (r: T) => number,
  same: (a: T, b: T) => boolean = () => true,
): number[] {
  const ratios: number[] = [];
  for (const a of records) {
    if (!isA(a)) continue;
    const b = records.find((other) => isB(other) && other.round === a.round && same(a, other));
    if (b !== undefined) ratios.push(ratio(pick(a), pick(b)));
  }
  return ratios;
}

// ---------------------------------------------------------------------------
// HTTP scenarios (bench/lib/http-compare.ts): hello, json, observability, static, overload.

function isHttpRuns(runs: unknown): runs is HttpRun[] {
  if (!Array.isArray(runs) || runs.length === 0) return false;
  const first = runs[0] as Partial<HttpRun>;
  return typeof first.server === 'string' && typeof first.phase === 'string' && typeof first.load === 'object';
}

function httpSections(result: RawResult, runs: readonly HttpRun[]): Sections {
  const phases = [...new Set(runs.map((run) => run.phase))];
  const servers = [...new Set(runs.map((run) => run.server))];
  // Every HTTP scenario lists its baseline (node:http, one way or another) first.
  const baseline = servers[0] as string;
  const phaseSettings = (result.settings['phases'] ?? []) as Array<{ name: string; route: string }>;
  const tables = phases.map((phase) => {
    const inPhase = runs.filter((run) => run.phase === phase);
    const shed = inPhase.some((run) => run.load.non2xx > 0);
    const first = inPhase[0] as HttpRun;
    const route = phaseSettings.find((p) => p.name === phase)?.route ?? result.settings['route'];
    const title =
      `### ${phase}: GET ${String(route)}, ${first.load.connections} connections, ` +
      `${num(first.load.durationSec)} s per run, ${plural(Math.max(...inPhase.map((run) => run.round)) + 1, 'round')}`;
    const vs = (server: string, pick: (run: HttpRun) => number): string =>
      ratioCell(
        perRound(
          inPhase,
          (run) => run.server === server,
          (run) => run.server === baseline,
          pick,
        ),
      );
    const rows = servers
      .filter((server) => inPhase.some((run) => run.server === server))
      .map((server): Cell[] => {
        const mine = inPhase.filter((run) => run.server === server);
        const m = (pick: (run: HttpRun) => number): number => median(mine.map(pick));
        return shed
          ? [
              server,
              num(m((run) => run.load.okRps)),
              vs(server, (run) => run.load.okRps),
              num(m((run) => run.load.non2xx / run.load.durationSec)),
              num(
                m((run) => run.load.okLatency.p99 ?? Number.NaN),
                1,
              ),
              num(
                m((run) => run.cpuUsPerResponse),
                1,
              ),
              vs(server, (run) => run.cpuUsPerResponse),
            ]
          : [
              server,
              num(m((run) => run.load.rps)),
              vs(server, (run) => run.load.rps),
              num(
                m((run) => run.load.latency.p99 ?? Number.NaN),
                2,
              ),
              num(
                m((run) => run.cpuUsPerResponse),
                1,
              ),
              vs(server, (run) => run.cpuUsPerResponse),
            ];
      });
    const columns = shed
      ? ['server', '2xx/s', `2xx/s × ${baseline}`, 'non-2xx/s', '2xx p99 ms', 'CPU µs/resp', `CPU × ${baseline}`]
      : ['server', 'req/s', `req/s × ${baseline}`, 'p99 ms', 'CPU µs/req', `CPU × ${baseline}`];
    return `${title}\n\n${markdownTable(columns, rows)}`;
  });
  const note =
    'Medians over the rounds (servers in rotating order in each round). A ratio is the median of the per-round ' +
    `ratios to ${baseline} in the same round, with their range across rounds in brackets. CPU is the server ` +
    "process's user + system time per response.";
  // The reading: httppool's servers in the scenario's main phase.
  const main = phases.includes(result.scenario) ? result.scenario : (phases[0] as string);
  const inMain = runs.filter((run) => run.phase === main);
  const shed = inMain.some((run) => run.load.non2xx > 0);
  const headline = servers
    .filter((server) => server.startsWith('httppool') && inMain.some((run) => run.server === server))
    .map((server) => {
      const ratioOf = (pick: (run: HttpRun) => number): string =>
        times(
          median(
            perRound(
              inMain,
              (run) => run.server === server,
              (run) => run.server === baseline,
              pick,
            ),
          ),
        );
      return (
        `${server} at ${ratioOf((run) => (shed ? run.load.okRps : run.load.rps))} ` +
        `${baseline}'s ${shed ? '2xx/s' : 'req/s'} and ${ratioOf((run) => run.cpuUsPerResponse)} its CPU per response`
      );
    })
    .join(', ');
  return { tables: [note, ...tables], headline: headline === '' ? '' : `in ${main}, ${headline}` };
}

// ---------------------------------------------------------------------------
// Scenarios measured in fresh processes, round by round: pool, queue, startup.

interface RoundRecord {
  round: number;
  impl: string;
  [field: string]: unknown;
}

interface RoundTable {
  title: string;
  records: (runs: unknown) => unknown;
  /** A field whose values become column groups (queue depth, case); rows are `impl`. */
  column?: string;
  metric: string;
  label: string;
  digits: number;
  /** The impl the others are divided by, round by round; without one, each value shows its range. */
  baseline?: string;
}

const ROUND_TABLES: Record<string, RoundTable[]> = {
  pool: [
    {
      title: '100,000 tasks submitted at once, concurrency 100; one process per round',
      records: (runs) => runs,
      metric: 'tasksPerSec',
      label: 'tasks/s',
      digits: 0,
      baseline: 'fastq',
    },
  ],
  queue: [
    {
      title: 'offer/poll: one job out and back in, the queue held at that depth',
      records: (runs) => (runs as { throughput?: unknown }).throughput,
      column: 'case',
      metric: 'opsPerSec',
      label: 'ops/s',
      digits: 0,
      baseline: 'denque',
    },
    {
      title: 'remove() of a random job, by depth (ns per removal)',
      records: (runs) => (runs as { removes?: unknown }).removes,
      column: 'depth',
      metric: 'nsPerRemove',
      label: 'ns',
      digits: 0,
    },
  ],
  startup: [
    {
      title: 'bootstrap (100 controllers × 10 routes, not listening); one fresh process per round',
      records: (runs) => runs,
      metric: 'bootstrapMs',
      label: 'bootstrap ms',
      digits: 1,
      baseline: 'nest',
    },
    {
      title: 'from process start to ready',
      records: (runs) => runs,
      metric: 'processMs',
      label: 'ready ms',
      digits: 0,
      baseline: 'nest',
    },
  ],
};

function roundSections(result: RawResult): Sections {
  const specs = ROUND_TABLES[result.scenario] ?? [];
  const tables = specs.flatMap((spec) => {
    const records = spec.records(result.runs);
    if (!Array.isArray(records) || records.length === 0) return [];
    return [`### ${spec.title}\n\n${roundTable(records as RoundRecord[], spec)}`];
  });
  const note =
    tables.length === 0
      ? 'No per-round measurements to tabulate: see the goal lines and the raw JSON.'
      : 'Medians over the rounds. A ratio is the median of the per-round ratios (same round, same column), ' +
        'with their range across rounds in brackets; a value without a baseline shows its own range.';
  return { tables: [note, ...tables], headline: '' };
}

function roundTable(records: readonly RoundRecord[], spec: RoundTable): string {
  const impls = [...new Set(records.map((r) => r.impl))];
  const groups = spec.column === undefined ? [undefined] : [...new Set(records.map((r) => r[spec.column as string]))];
  const pick = (r: RoundRecord): number => r[spec.metric] as number;
  const groupName = (group: unknown): string =>
    group === undefined ? '' : `, ${typeof group === 'number' ? `depth ${num(group)}` : String(group)}`;
  const columns = [
    'impl',
    ...groups.flatMap((group) => [
      `${spec.label}${groupName(group)}`,
      ...(spec.baseline === undefined ? [] : [`× ${spec.baseline}`]),
    ]),
  ];
  const inGroup = (group: unknown) => (r: RoundRecord) => spec.column === undefined || r[spec.column] === group;
  const rows = impls.map((impl): Cell[] => [
    impl,
    ...groups.flatMap((group) => {
      const mine = records.filter((r) => r.impl === impl && inGroup(group)(r));
      if (spec.baseline === undefined) return [valueCell(mine.map(pick), spec.digits)];
      const ratios = perRound(
        records.filter(inGroup(group)),
        (r) => r.impl === impl,
        (r) => r.impl === spec.baseline,
        pick,
      );
      return [num(median(mine.map(pick)), spec.digits), ratioCell(ratios)];
    }),
  ]);
  return markdownTable(columns, rows);
}

// ---------------------------------------------------------------------------
// profile: one profile per server, its windows spread over the rounds (no per-round split is kept).

interface ServerProfileLike {
  server: string;
  responses: number;
  cpuUsPerResponse: number;
  allocBytesPerResponse: number;
  analysis: { busyUs: number; byCategory: Array<{ category: string; us: number }> };
}

function profileSections(result: RawResult): Sections {
  const summary = result.summary as {
    hello?: ServerProfileLike[];
    shedding?: { httppool?: ServerProfileLike; raw?: ServerProfileLike };
  };
  const hello = summary.hello ?? [];
  const base = hello[0];
  const row = (p: ServerProfileLike, name: string, against: ServerProfileLike | undefined): Cell[] => [
    name,
    num(p.cpuUsPerResponse, 1),
    against === undefined ? '—' : times(ratio(p.cpuUsPerResponse, against.cpuUsPerResponse)),
    num(p.analysis.busyUs / p.responses, 1),
    num((p.analysis.byCategory.find((c) => c.category === 'httppool src')?.us ?? 0) / p.responses, 2),
    num(p.allocBytesPerResponse),
  ];
  const shedding = summary.shedding;
  const rows = [
    ...hello.map((p) => row(p, `${p.server}, GET ${String(result.settings['route'])}`, base)),
    ...(shedding?.raw === undefined ? [] : [row(shedding.raw, 'node:http, 503 by hand', shedding.raw)]),
    ...(shedding?.httppool === undefined ? [] : [row(shedding.httppool, 'httppool, shedding 503s', shedding.raw)]),
  ];
  const table = markdownTable(
    [
      'server',
      'CPU µs/resp',
      'CPU × baseline',
      'sampled busy µs/resp',
      'httppool src self µs/resp',
      'bytes allocated/resp',
    ],
    rows,
  );
  const title =
    `### under --cpu-prof: ${String(result.settings['connections'])} connections, ` +
    `${String(result.settings['rounds'])} windows of ${String(result.settings['durationSec'])} s per server, servers alternating`;
  const note =
    'One profile per server, its windows spread over the rounds, so there is no per-round ratio (nor range) here. ' +
    'The baseline is node:http (for the 503 rows, node:http answering the 503 by hand). Profiling slows every server: ' +
    "compare the rows, not these numbers with the other scenarios'. The per-function tables are in the raw JSON.";
  return { tables: [note, `${title}\n\n${table}`], headline: '' };
}

// ---------------------------------------------------------------------------
// soak (bench/soak.ts): the demo app at sustained overload, its heap watched.

interface SoakLoad {
  durationSec: number;
  offeredPerSec: number;
  sent: number;
  ok: number;
  shed: number;
  other: number;
  errors: number;
  okLatencyMs: { p99: number };
  shedLatencyMs: { p99: number };
}

interface SoakResult extends RawResult {
  settings: { capacityPerSec: number; overload: number; seconds: number; route: string } & Record<string, unknown>;
  warmup: SoakLoad;
  load: SoakLoad;
  memory: {
    cold: { heapUsed: number };
    baseline: { heapUsed: number; rss: number };
    final: { heapUsed: number; rss: number };
    peakHeapUsedDuringLoad: number;
    heapChange: number;
    tolerance: number;
  };
}

function soakSections(result: SoakResult): Sections {
  const { settings, memory } = result;
  const mb = (bytes: number): string => num(bytes / 2 ** 20, 1);
  const pct = (value: number): string => `${value >= 0 ? '+' : ''}${num(value * 100, 1)} %`;
  const loadRow = (name: string, run: SoakLoad): Cell[] => [
    name,
    num(run.durationSec),
    num(run.offeredPerSec),
    num(run.ok / run.durationSec),
    `${num((run.ok / run.durationSec / settings.capacityPerSec) * 100)} %`,
    `${num((run.shed / Math.max(1, run.sent)) * 100)} %`,
    num(run.okLatencyMs.p99, 1),
    num(run.shedLatencyMs.p99, 1),
    num(run.other + run.errors),
  ];
  const loadTable = markdownTable(
    ['phase', 's', 'offered/s', '200/s', '% of capacity', '503 share', '200 p99 ms', '503 p99 ms', 'other + errors'],
    [loadRow('warm-up', result.warmup), loadRow('load', result.load)],
  );
  const memoryTable = markdownTable(
    ['heap used', 'MB'],
    [
      ['cold, after a full GC', mb(memory.cold.heapUsed)],
      ['after the warm-up, full GC (baseline)', mb(memory.baseline.heapUsed)],
      ['peak during the load (no forced GC)', mb(memory.peakHeapUsedDuringLoad)],
      ['after the load settled, full GC', mb(memory.final.heapUsed)],
    ],
  );
  const held = Math.abs(memory.heapChange) <= memory.tolerance;
  const goal =
    `${held ? 'MET   ' : 'MISSED'} soak: heap after the load settled vs the baseline = ${pct(memory.heapChange)} ` +
    `(goal within ±${num(memory.tolerance * 100)} %)`;
  return {
    tables: [
      `### GET ${settings.route} at ${settings.overload}× the pool's ${num(settings.capacityPerSec)} req/s, ${num(settings.seconds)} s\n\n${loadTable}`,
      `### memory\n\n${memoryTable}`,
    ],
    headline:
      `at ${settings.overload}× overload httppool kept ${num((result.load.ok / result.load.durationSec / settings.capacityPerSec) * 100)} % ` +
      `of its capacity answering 200s and shed the rest; RSS ${mb(memory.baseline.rss)} → ${mb(memory.final.rss)} MB`,
    findings: [goal],
  };
}
