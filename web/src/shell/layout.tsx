import type { ReactNode } from 'react';
import type { Me } from '../api/types.ts';
import { Link, useLocation } from '../router.tsx';
import { SignOut } from './gates.tsx';

export interface NavItem {
  to: string;
  label: string;
  /** Also current for paths under it (not for the area's home). */
  prefix?: boolean;
}

/** The frame of every signed-in page: a skip link, the header, the area's navigation, the main content. */
export function Layout({ me, area, nav, children }: { me: Me; area: string; nav: NavItem[]; children: ReactNode }) {
  const { path } = useLocation();
  const current = (item: NavItem) => path === item.to || (item.prefix === true && path.startsWith(`${item.to}/`));
  const other = me.reach.find((r) => !path.startsWith(`/${r}`));
  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Workgate · {area}</span>
        <span className="who">
          {other ? <Link to={`/${other}`}>{other === 'console' ? 'Console' : 'Workforce'}</Link> : null}
          <span>{me.name ?? me.login}</span>
          <SignOut me={me} />
        </span>
      </header>
      <div className="frame">
        <nav className="side" aria-label={`${area} sections`}>
          <ul>
            {nav.map((item) => (
              <li key={item.to}>
                <Link to={item.to} aria-current={current(item) ? 'page' : undefined}>
                  {item.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          {children}
        </main>
      </div>
    </>
  );
}
