/** A row's text value (readRow trims it; a blank cell is null), or null when absent or blank. */
export function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** A row's boolean value, or undefined when the cell is blank or the header lacks the column. */
export function booleanOf(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}
