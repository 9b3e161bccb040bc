/**
 * A small browser for HTTP-level sign-in tests: a cookie jar per host (like a browser, ports share cookies),
 * redirects followed one by one so a test can stop at, look at or change any step, and form posts.
 */
export interface Page {
  url: string;
  status: number;
  location: string | undefined;
  body: string;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  form?: Record<string, string>;
  headers?: Record<string, string>;
}

export class TestBrowser {
  readonly jar = new Map<string, Map<string, string>>();

  cookies(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    let cookies = this.jar.get(host);
    if (!cookies) {
      cookies = new Map();
      this.jar.set(host, cookies);
    }
    return cookies;
  }

  cookie(url: string, name: string): string | undefined {
    return this.cookies(url).get(name);
  }

  setCookie(url: string, name: string, value: string): void {
    this.cookies(url).set(name, value);
  }

  async request(url: string, options: RequestOptions = {}): Promise<Page> {
    const cookies = this.cookies(url);
    const headers: Record<string, string> = { ...options.headers };
    if (cookies.size > 0) headers.cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    let body: string | undefined;
    if (options.form) {
      body = new URLSearchParams(options.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    const response = await fetch(url, { method: options.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.store(cookies, line);
    const location = response.headers.get('location') ?? undefined;
    return { url, status: response.status, location: location === undefined ? undefined : new URL(location, url).href, body: await response.text(), headers: response.headers };
  }

  private store(cookies: Map<string, string>, line: string): void {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && new Date(a.split('=')[1]!).getTime() < Date.now()));
    if (expired || value === '') cookies.delete(name);
    else cookies.set(name, value);
  }

  /** Follows redirects (GET after 30x) until a page that is not one, or until `stopBefore` says to leave a URL unrequested. */
  async follow(url: string, options: RequestOptions & { stopBefore?: (url: string) => boolean } = {}): Promise<{ page: Page; trail: Page[]; stoppedAt?: string }> {
    const trail: Page[] = [];
    let page = await this.request(url, options);
    trail.push(page);
    for (let hops = 0; page.location && page.status >= 300 && page.status < 400; hops += 1) {
      if (hops > 20) throw new Error(`too many redirects from ${url}`);
      if (options.stopBefore?.(page.location)) return { page, trail, stoppedAt: page.location };
      page = await this.request(page.location);
      trail.push(page);
    }
    return { page, trail };
  }
}

/** The value of a named form field in a page (hidden inputs of an auto-posting form, a CSRF token, ...). */
export function formField(html: string, name: string): string | undefined {
  const match = new RegExp(`<input[^>]*name="${name}"[^>]*value="([^"]*)"`, 'i').exec(html) ?? new RegExp(`<input[^>]*value="([^"]*)"[^>]*name="${name}"`, 'i').exec(html);
  return match?.[1]?.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function formAction(html: string): string | undefined {
  return /<form[^>]*action="([^"]*)"/i.exec(html)?.[1]?.replace(/&amp;/g, '&');
}
