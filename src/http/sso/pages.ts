import type { FastifyReply } from 'fastify';
import type { MissingCondition } from './access.ts';

/** Every page is small, server-rendered HTML; every value is escaped. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const style =
  'body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5;color:#1b1b1b}' +
  'h1{font-size:1.5rem}label{display:block;margin-top:1rem}input{font:inherit;padding:.4rem;width:100%;box-sizing:border-box}' +
  'button{font:inherit;margin-top:1rem;padding:.4rem 1rem}.link{background:none;border:none;color:#0645ad;text-decoration:underline;padding:0;cursor:pointer}' +
  '.error{color:#a00000}';

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} - Workgate</title><style>${style}</style></head>
<body><main>
<h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>
`;
}

export function sendPage(reply: FastifyReply, status: number, title: string, body: string): FastifyReply {
  return reply
    .code(status)
    .header('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'")
    .header('X-Frame-Options', 'DENY')
    .header('Cache-Control', 'no-store')
    .header('Referrer-Policy', 'same-origin')
    .type('text/html; charset=utf-8')
    .send(layout(title, body));
}

export function signOutForm(csrf: string, label = 'Sign out'): string {
  return `<form method="post" action="/auth/logout"><input type="hidden" name="csrf" value="${escapeHtml(csrf)}"><button type="submit" class="link">${escapeHtml(label)}</button></form>`;
}

export function refusalBody(login: string | null, missing: MissingCondition[], csrf: string | null): string {
  const items = missing.map((m) => `<li data-reason="${escapeHtml(m.reason)}"><strong>${m.gate === 'console' ? 'Console' : 'Workforce'}:</strong> ${escapeHtml(m.message)}</li>`).join('\n');
  const who = login ? `<p>You are signed in as <strong>${escapeHtml(login)}</strong>, but you may not use Workgate yet:</p>` : '<p>You signed in with your identity provider, but you may not use Workgate:</p>';
  const out = csrf ? signOutForm(csrf, 'Sign out (to use another account)') : '<p><a href="/auth/logout">Sign out</a></p>';
  return `${who}\n<ul>\n${items}\n</ul>\n<p>Ask your Workgate administrator to fix what is missing, then sign in again.</p>\n${out}`;
}

export function errorBody(message: string, retryHref: string | null): string {
  const retry = retryHref ? `<p><a href="${escapeHtml(retryHref)}">Start the sign-in again</a></p>` : '';
  return `<p class="error" role="alert">${escapeHtml(message)}</p>\n${retry}`;
}

export function localLoginBody(csrf: string, returnTo: string, error: string | null): string {
  const alert = error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '';
  return `<p>Local administrator sign-in, for first setup or when the identity provider is unavailable.</p>
${alert}
<form method="post" action="/auth/local/login">
<input type="hidden" name="csrf" value="${escapeHtml(csrf)}">
<input type="hidden" name="return_to" value="${escapeHtml(returnTo)}">
<label for="login">Login</label><input id="login" name="login" autocomplete="username" required maxlength="100">
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024">
<button type="submit">Sign in</button>
</form>`;
}

export function chooserBody(providers: string[], returnTo: string): string {
  const query = `?return_to=${encodeURIComponent(returnTo)}`;
  const links = providers.map((p) => `<li><a href="/auth/${encodeURIComponent(p)}/login${escapeHtml(query)}">Sign in with ${escapeHtml(p)}</a></li>`).join('\n');
  return `<ul>\n${links}\n<li><a href="/auth/local/login${escapeHtml(query)}">Local administrator</a></li>\n</ul>`;
}
