import type { HTMLAttributes, ReactNode } from 'react';
import type { Loaded } from './use-api.ts';
import { Empty, Loading } from './page.tsx';

/** One column: its header and how a row fills its cell. */
export interface Column<T> {
  header: string;
  cell: (row: T) => ReactNode;
  /** The header is read by screen readers only (a column of buttons). */
  hideHeader?: boolean;
  /** Long text (file names, messages) may break anywhere. */
  wrap?: boolean;
  /** The cell names its row (`<th scope="row">`). */
  rowHeader?: boolean;
}

export interface TableProps<T> {
  /** Names the table for screen readers and tests; shown only when `showCaption`. */
  caption: ReactNode;
  showCaption?: boolean;
  columns: Array<Column<T>>;
  rows: T[];
  rowKey: (row: T, index: number) => string | number;
  /** Attributes of a row's `<tr>` (data-* for styling or tests). */
  rowProps?: (row: T) => HTMLAttributes<HTMLTableRowElement> & Record<`data-${string}`, string>;
  testId?: string;
}

/** The console's one table markup: a caption, a header row of column scopes, a row per item. */
export function Table<T>({ caption, showCaption = false, columns, rows, rowKey, rowProps, testId }: TableProps<T>) {
  return (
    <table data-testid={testId}>
      <caption className={showCaption ? undefined : 'sr-only'}>{caption}</caption>
      <thead>
        <tr>
          {columns.map((c) => (
            <th scope="col" key={c.header}>
              {c.hideHeader ? <span className="sr-only">{c.header}</span> : c.header}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((row, index) => (
          <tr key={rowKey(row, index)} {...rowProps?.(row)}>
            {columns.map((c) =>
              c.rowHeader ? (
                <th scope="row" key={c.header}>
                  {c.cell(row)}
                </th>
              ) : (
                <td key={c.header} className={c.wrap ? 'wrap' : undefined}>
                  {c.cell(row)}
                </td>
              ),
            )}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A table of rows, or what to say when there are none. */
export function TableOrEmpty<T>({ empty, ...table }: TableProps<T> & { empty: ReactNode }) {
  return table.rows.length === 0 ? <Empty>{empty}</Empty> : <Table {...table} />;
}

/**
 * A list loaded from the API: an error, a busy line, then the table (or `empty`), and `after` the list (a pager,
 * which stays when a page is empty).
 */
export function LoadedTable<T>({
  state,
  label,
  after,
  ...table
}: Omit<TableProps<T>, 'rows'> & { state: Pick<Loaded<T[]>, 'data' | 'error' | 'loading'>; label: string; empty: ReactNode; after?: (rows: T[]) => ReactNode }) {
  return (
    <Loading state={state} label={label}>
      {(rows) => (
        <>
          <TableOrEmpty {...table} rows={rows} />
          {after?.(rows)}
        </>
      )}
    </Loading>
  );
}
