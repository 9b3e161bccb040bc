import { useState } from 'react';

/** Dates as the browser's locale writes them, with the exact ISO time on hover. */
export function When({ at }: { at: string | null | undefined }) {
  if (!at) return <span className="muted">—</span>;
  const date = new Date(at);
  return (
    <time dateTime={at} title={at}>
      {Number.isNaN(date.getTime()) ? at : date.toLocaleString()}
    </time>
  );
}

export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '—';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let n = value;
  let unit = 0;
  while (n >= 1024 && unit < units.length - 1) {
    n /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? n : n.toFixed(1)} ${units[unit]}`;
}

const statusTone: Record<string, string> = {
  done: 'good',
  active: 'good',
  enabled: 'good',
  published: 'good',
  success: 'good',
  done_with_errors: 'warn',
  held: 'warn',
  pending: 'info',
  loading: 'info',
  duplicate: 'muted',
  failed: 'bad',
  failure: 'bad',
  disabled: 'bad',
  inactive: 'muted',
  retired: 'muted',
};

/** A status word with its colour; the word itself carries the meaning (colour is only a help). */
export function Status({ value }: { value: string }) {
  return <span className={`status ${statusTone[value] ?? 'info'}`}>{value.replaceAll('_', ' ')}</span>;
}

/** Copies a value to the clipboard and says so; where the clipboard is not available, selects the value instead. */
export function CopyButton({ value, label = 'Copy', targetId }: { value: string; label?: string; targetId?: string }) {
  const [said, setSaid] = useState('');
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid('Copied to the clipboard.');
    } catch {
      const target = targetId ? document.getElementById(targetId) : null;
      if (target) {
        const range = document.createRange();
        range.selectNodeContents(target);
        window.getSelection()?.removeAllRanges();
        window.getSelection()?.addRange(range);
      }
      setSaid('The clipboard is not available here: the value is selected, press Ctrl+C to copy it.');
    }
  };
  return (
    <>
      <button type="button" onClick={() => void copy()}>
        {label}
      </button>
      <span className="copy-note" role="status">
        {said}
      </span>
    </>
  );
}

/** Previous / next over a list the server pages (limit and offset); the API returns at most `pageSize` rows. */
export function Pager({ offset, pageSize, count, onChange, label, hasMore }: { offset: number; pageSize: number; count: number; onChange: (offset: number) => void; label: string; hasMore?: boolean }) {
  const first = count === 0 ? 0 : offset + 1;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - pageSize))}>
        Previous
      </button>
      <span aria-live="polite">
        {count === 0 ? 'No rows' : `Rows ${first}–${offset + count}`}
      </span>
      <button type="button" disabled={!(hasMore ?? count >= pageSize)} onClick={() => onChange(offset + pageSize)}>
        Next
      </button>
    </nav>
  );
}

/** The rows of a list that is loaded whole, one page at a time. */
export function pageOf<T>(rows: T[], offset: number, pageSize: number): T[] {
  return rows.slice(offset, offset + pageSize);
}
