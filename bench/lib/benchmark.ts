/** One option of a benchmark: always read as text from the command line, with a default. */
export interface OptionSpec {
  default: string;
  description: string;
}

/** What bench/<name>.bench.ts exports as `benchmark`; bench/run.ts finds and runs it. */
export interface Benchmark {
  description: string;
  options: Record<string, OptionSpec>;
  /** Resolves true when the run is valid (no errors); goals missed are reported, not failures. */
  run(options: Record<string, string>): Promise<boolean>;
}

/** A whole positive number option, with the option's name in the error. */
export function positiveInteger(options: Record<string, string>, name: string): number {
  const raw = options[name] ?? '';
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value <= 0) throw new Error(`--${name} must be a positive whole number (got "${raw}")`);
  return value;
}

/** A comma-separated option whose items must come from `allowed`. */
export function listOption<T extends string>(options: Record<string, string>, name: string, allowed: readonly T[]): T[] {
  const items = (options[name] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = items.filter((item) => !(allowed as readonly string[]).includes(item));
  if (items.length === 0 || unknown.length > 0) throw new Error(`--${name} takes a comma-separated list of ${allowed.join(', ')} (got "${options[name]}")`);
  return [...new Set(items)] as T[];
}

/** An option that must be one of `allowed`. */
export function choiceOption<T extends string>(options: Record<string, string>, name: string, allowed: readonly T[]): T {
  const value = options[name] ?? '';
  if (!(allowed as readonly string[]).includes(value)) throw new Error(`--${name} must be one of ${allowed.join(', ')} (got "${value}")`);
  return value as T;
}
