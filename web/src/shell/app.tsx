import { useEffect } from 'react';
import { api, setCsrfToken } from '../api/client.ts';
import type { Me } from '../api/types.ts';
import { ConsoleApp } from '../console/console-app.tsx';
import { navigate, useLocation } from '../router.tsx';
import { Busy, ErrorMessages } from '../ui/page.tsx';
import { useApi } from '../ui/use-api.ts';
import { WorkforceApp } from '../workforce/workforce-app.tsx';
import { NotFound, Refused, SignIn } from './gates.tsx';

/** Who is signed in decides what is shown: the sign-in link, the console, the Workforce pages or why not. */
export function App() {
  const me = useApi((signal) => api.get<Me>('/api/me', {}, signal), 'me');
  const { path } = useLocation();
  const data = me.data;

  useEffect(() => setCsrfToken(data?.['csrf-token'] ?? null), [data]);
  useEffect(() => {
    if (!data || (path !== '/' && path !== '')) return;
    if (data.reach.includes('console')) navigate('/console', { replace: true });
    else if (data.reach.includes('workforce')) navigate('/workforce', { replace: true });
  }, [data, path]);

  if (me.error?.status === 401) return <SignIn returnTo={window.location.pathname + window.location.search} />;
  if (me.error) {
    return (
      <main id="main" className="narrow">
        <h1>Workgate</h1>
        <ErrorMessages error={me.error} />
        <button type="button" onClick={me.reload}>
          Try again
        </button>
      </main>
    );
  }
  if (!data) return <Busy label="Loading Workgate…" />;
  if (path.startsWith('/console')) return data.reach.includes('console') ? <ConsoleApp me={data} /> : <Refused me={data} gate="console" />;
  if (path.startsWith('/workforce')) return data.reach.includes('workforce') ? <WorkforceApp me={data} /> : <Refused me={data} gate="workforce" />;
  if (path === '/' && data.reach.length === 0) return <Refused me={data} gate={null} />;
  return <NotFound />;
}
