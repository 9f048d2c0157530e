import { DEFAULT_TOOLS, QUICK_TOOLS, TOOLS, type ToolId } from './tools.js';

export const PHASES = ['workload', 'cold', 'validate', 'long', 'scaling', 'autocannon'] as const;
export type Phase = (typeof PHASES)[number];

export interface Options {
  quick: boolean;
  tools: ToolId[];
  sizes: number[];
  runs: number;
  concurrency: number;
  phases: Phase[];
  longN: number;
  validateN: number;
  scalingN: number;
  scalingLevels: number[];
  /** --quick fails when flowrun's median wall time exceeds this multiple of the baseline's. */
  maxRatio: number;
  autocannonSeconds: number;
  out: string;
}

export const USAGE = `Usage: npm run bench -- [options]

  --quick               CI regression guard: N=200, flowrun vs baseline, 3 runs,
                        exit 1 if flowrun is slower than 6x the baseline (or fails)
  --only <tools>        comma list of: ${Object.keys(TOOLS).join(', ')}
  --sizes <list>        workload sizes (default 1,200,2000)
  --runs <n>            counted runs per measurement (default 5; warm-up not counted)
  -c, --concurrency <n> scenarios in parallel for every tool that supports it (default 8)
  --skip <phases>       comma list of: ${PHASES.join(', ')}
  --long <n>            scenarios in the long run (default 20000)
  --max-ratio <x>       --quick failure bound (default 6)
  --out <name>          report base name under reports/ (default bench, or bench-quick)
  -h, --help            this text
`;

function list(value: string | undefined, flag: string): string[] {
  if (!value) throw new Error(`${flag} needs a value`);
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function positiveInt(value: string | undefined, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${value}`);
  return n;
}

export function parseOptions(argv: string[]): Options | 'help' {
  const opts: Options = {
    quick: false,
    tools: [...DEFAULT_TOOLS],
    sizes: [1, 200, 2000],
    runs: 5,
    concurrency: 8,
    phases: [...PHASES],
    longN: 20_000,
    validateN: 1000,
    scalingN: 2000,
    scalingLevels: [1, 2, 4, 8],
    maxRatio: 6,
    autocannonSeconds: 5,
    out: 'bench',
  };
  const explicit = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    explicit.add(flag);
    switch (flag) {
      case '-h':
      case '--help':
        return 'help';
      case '--quick':
        opts.quick = true;
        break;
      case '--only': {
        const tools = list(value, flag);
        for (const t of tools) if (!(t in TOOLS)) throw new Error(`unknown tool ${t}`);
        opts.tools = tools as ToolId[];
        i++;
        break;
      }
      case '--sizes':
        opts.sizes = list(value, flag).map((s) => positiveInt(s, flag));
        i++;
        break;
      case '--runs':
        opts.runs = positiveInt(value, flag);
        i++;
        break;
      case '-c':
      case '--concurrency':
        opts.concurrency = positiveInt(value, flag);
        i++;
        break;
      case '--skip': {
        const skip = list(value, flag);
        for (const p of skip) if (!PHASES.includes(p as Phase)) throw new Error(`unknown phase ${p}`);
        opts.phases = opts.phases.filter((p) => !skip.includes(p));
        i++;
        break;
      }
      case '--long':
        opts.longN = positiveInt(value, flag);
        i++;
        break;
      case '--max-ratio':
        opts.maxRatio = Number(value);
        if (!(opts.maxRatio > 1)) throw new Error(`${flag} needs a number above 1`);
        i++;
        break;
      case '--out':
        opts.out = list(value, flag)[0];
        i++;
        break;
      default:
        throw new Error(`unknown option ${flag}\n\n${USAGE}`);
    }
  }
  if (opts.quick) {
    if (!explicit.has('--only')) opts.tools = [...QUICK_TOOLS];
    if (!explicit.has('--sizes')) opts.sizes = [200];
    if (!explicit.has('--runs')) opts.runs = 3;
    if (!explicit.has('--out')) opts.out = 'bench-quick';
    opts.phases = ['workload'];
    if (!opts.tools.includes('baseline')) opts.tools.push('baseline');
  }
  return opts;
}
