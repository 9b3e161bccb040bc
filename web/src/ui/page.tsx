import { useEffect, useRef, type ReactNode } from 'react';
import type { ApiError } from '../api/client.ts';

/**
 * A page: its title in the tab and as the h1, which takes the focus when the page opens (screen readers hear it),
 * unless the page itself just put the focus on something inside it (a password shown once: children's effects
 * run before this one).
 */
export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} - Workgate`;
    const focused = document.activeElement;
    const main = heading.current?.closest('main');
    if (focused && focused !== document.body && focused !== heading.current && main?.contains(focused)) return;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <>
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>
          {title}
        </h1>
        {actions ? <div className="page-actions">{actions}</div> : null}
      </div>
      {children}
    </>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  const headingId = `${id ?? title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-heading`;
  return (
    <section className="card" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      {children}
    </section>
  );
}

/** Errors that concern no single field: announced as they appear. */
export function ErrorMessages({ error, messages }: { error?: ApiError | undefined; messages?: string[] }) {
  const list = messages ?? error?.messages ?? [];
  if (list.length === 0) return null;
  const here = window.location.pathname + window.location.search;
  return (
    <div className="alert error" role="alert">
      {list.length === 1 ? <p>{list[0]}</p> : <ul>{list.map((m) => <li key={m}>{m}</li>)}</ul>}
      {error?.status === 401 ? (
        <p>
          <a href={`/auth/login?return_to=${encodeURIComponent(here)}`}>Sign in again</a>
        </p>
      ) : null}
    </div>
  );
}

/** A polite status line (saved, copied, done): announced without moving the focus. */
export function Notice({ children }: { children: ReactNode }) {
  return (
    <p className="alert ok" role="status">
      {children}
    </p>
  );
}

/** Something is being loaded or done; with `value` (0..100) a progress bar. Announced politely. */
export function Busy({ label, value }: { label: string; value?: number | undefined }) {
  return (
    <div className="busy" role="status" aria-live="polite">
      {value === undefined ? <span className="spinner" aria-hidden="true" /> : <progress max={100} value={value} aria-label={label} />}
      <span>
        {label}
        {value === undefined ? '' : ` (${value}%)`}
      </span>
    </div>
  );
}

/** What a loading page shows: its error, a busy line, or the content. */
export function Loading<T>({ state, label, children }: { state: { data: T | undefined; error?: ApiError | undefined; loading: boolean }; label: string; children: (data: T) => ReactNode }) {
  if (state.error && state.data === undefined) return <ErrorMessages error={state.error} />;
  if (state.data === undefined) return <Busy label={`Loading ${label}…`} />;
  return (
    <>
      {state.error ? <ErrorMessages error={state.error} /> : null}
      {children(state.data)}
    </>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}
