/**
 * Names clients upload under before renaming to the final name (WinSCP `.filepart`, others `.part`,
 * `.tmp`, `.partial`, or a leading dot). A file closed under such a name waits in its Incoming folder;
 * it becomes a received file when renamed to a final name.
 */
const temporarySuffixes = ['.filepart', '.part', '.partial', '.tmp', '.temp', '.upload'];

export function isTemporaryName(name: string): boolean {
  const lower = name.toLowerCase();
  return name.startsWith('.') || temporarySuffixes.some((suffix) => lower.endsWith(suffix));
}
