const decimalPattern = /^(\d{1,20})(?:\.(\d{1,8}))?$/;

/** A non-negative decimal text as an integer count of 10^-8, or undefined when malformed. */
export function toUnits(text: string): bigint | undefined {
  const match = decimalPattern.exec(text.trim());
  if (!match) return undefined;
  return BigInt(match[1]!) * 100_000_000n + BigInt((match[2] ?? '').padEnd(8, '0'));
}

export function isDecimal(text: string): boolean {
  return toUnits(text) !== undefined;
}
