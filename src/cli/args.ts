/**
 * Command-line flags: `--name value`, `--name=value` and bare `--flag`; search options under their
 * reference names with underscores or dashes (`--num_learned_tokens 6`, `--num-learned-tokens=6`),
 * typed by their defaults.
 */
import { DEFAULT_OPTIONS, OptionsError, type IPromptOptions, type IPromptOptionsInput } from '../iprompt/index.ts';

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ParsedArgs {
  flags: Map<string, string | true>;
  /** Every value of each repeatable flag, in order. */
  lists: Map<string, string[]>;
  search: IPromptOptionsInput;
}

const canonical = (name: string) => name.replace(/-/g, '_');

/** Splits argv into our own flags (`known`, canonical names with underscores) and search options. */
export function parseArgs(argv: readonly string[], known: ReadonlySet<string>, booleanFlags: ReadonlySet<string>, repeatable: ReadonlySet<string> = new Set()): ParsedArgs {
  const flags = new Map<string, string | true>();
  const lists = new Map<string, string[]>();
  const search: Record<string, unknown> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}'. Flags start with --; see --help.`);
    const eq = arg.indexOf('=');
    const name = canonical(arg.slice(2, eq < 0 ? undefined : eq));
    const inline = eq < 0 ? undefined : arg.slice(eq + 1);
    const takeValue = (): string => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value.`);
      i++;
      return next;
    };
    if (booleanFlags.has(name)) {
      flags.set(name, inline ?? true);
    } else if (repeatable.has(name)) {
      lists.set(name, [...(lists.get(name) ?? []), takeValue()]);
    } else if (known.has(name)) {
      flags.set(name, takeValue());
    } else if (name in DEFAULT_OPTIONS) {
      const key = name as keyof IPromptOptions;
      const def = DEFAULT_OPTIONS[key];
      if (typeof def === 'boolean' && (inline === undefined && (argv[i + 1] === undefined || argv[i + 1].startsWith('--')))) search[key] = true;
      else search[key] = typed(key, takeValue(), def);
    } else {
      throw new UsageError(`Unknown flag --${name}. See --help for the flags and search options.`);
    }
  }
  return { flags, lists, search: search as IPromptOptionsInput };
}

function typed(key: string, raw: string, def: unknown): unknown {
  if (typeof def === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) throw new OptionsError(`--${key} takes a number, got '${raw}'`);
    return n;
  }
  if (typeof def === 'boolean') {
    if (/^(true|1|yes)$/i.test(raw)) return true;
    if (/^(false|0|no)$/i.test(raw)) return false;
    throw new OptionsError(`--${key} takes true or false, got '${raw}'`);
  }
  return raw;
}

/** A flag's value as a whole number, or the default. */
export function intFlag(flags: Map<string, string | true>, name: string, def: number): number {
  const v = flags.get(name);
  if (v === undefined) return def;
  const n = Number(v);
  if (v === true || !Number.isInteger(n)) throw new UsageError(`--${name} takes a whole number, got '${v}'`);
  return n;
}

export function stringFlag(flags: Map<string, string | true>, name: string): string | undefined {
  const v = flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value.`);
  return v;
}
