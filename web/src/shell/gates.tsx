import type { Me, Reach } from '../api/types.ts';
import { Link } from '../router.tsx';
import { Page } from '../ui/page.tsx';

/** Not signed in: the way to the sign-in page, which comes back here afterwards. */
export function SignIn({ returnTo }: { returnTo: string }) {
  const target = returnTo === '/' || returnTo === '' ? '/console' : returnTo;
  return (
    <main id="main" className="narrow">
      <Page title="Sign in to Workgate">
        <p>You are not signed in. Workgate uses your organisation's sign-in; administrators setting Workgate up can use the local administrator sign-in.</p>
        <p>
          <a className="button primary" href={`/auth/login?return_to=${encodeURIComponent(target)}`}>
            Sign in
          </a>
        </p>
      </Page>
    </main>
  );
}

export function SignOut({ me }: { me: Me }) {
  return (
    <form method="post" action="/auth/logout" className="sign-out">
      <input type="hidden" name="csrf" value={me['csrf-token'] ?? ''} />
      <button type="submit" className="link">
        Sign out
      </button>
    </form>
  );
}

const gateNames: Record<Reach, string> = { console: 'the console', workforce: 'the Workforce pages' };

/** Signed in, but this part is not for this person: what is missing, in the server's words. */
export function Refused({ me, gate }: { me: Me; gate: Reach | null }) {
  const missing = (me.missing ?? []).filter((m) => gate === null || m.gate === gate);
  const elsewhere = me.reach.filter((r) => r !== gate);
  return (
    <main id="main" className="narrow">
      <Page title="Access refused">
        <p>
          You are signed in as <strong>{me.login ?? me.name ?? 'an unknown user'}</strong>, but you may not use {gate ? gateNames[gate] : 'Workgate'}:
        </p>
        <ul className="refusals" role="alert">
          {missing.length > 0 ? (
            missing.map((m) => (
              <li key={`${m.gate}-${m.reason}`} data-reason={m.reason}>
                <strong>{m.gate === 'console' ? 'Console' : 'Workforce'}:</strong> {m.message}
              </li>
            ))
          ) : (
            <li>This sign-in does not reach {gate ? gateNames[gate] : 'any part of Workgate'}.</li>
          )}
        </ul>
        <p>Ask your Workgate administrator to fix what is missing, then sign in again.</p>
        {elsewhere.map((r) => (
          <p key={r}>
            <Link to={`/${r}`}>Go to {gateNames[r]}</Link>
          </p>
        ))}
        <SignOut me={me} />
      </Page>
    </main>
  );
}

export function NotFoundContent() {
  return (
    <Page title="Page not found">
      <p>There is no page at this address.</p>
      <p>
        <Link to="/">Go to the start page</Link>
      </p>
    </Page>
  );
}

export function NotFound() {
  return (
    <main id="main" className="narrow">
      <NotFoundContent />
    </main>
  );
}
