import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { targetOf } from './sign-in.ts';
import { isLoopbackHost, providerUrlProblem, safeReturnTo } from './urls.ts';

describe('return-to URLs stay on this site', () => {
  it('keeps paths, queries and fragments on this site', () => {
    assert.equal(safeReturnTo(undefined), '/');
    assert.equal(safeReturnTo('/workforce?tab=1#x'), '/workforce?tab=1#x');
    assert.equal(safeReturnTo('/console/../api/me'), '/api/me');
  });
  it('refuses anything that leaves it', () => {
    for (const bad of ['https://evil.example/', '//evil.example', '/\\evil.example', '\\\\evil', 'javascript:alert(1)', '/ok\nSet-Cookie: x', `/${'a'.repeat(3000)}`, 'relative/path']) {
      assert.equal(safeReturnTo(bad), undefined, bad);
    }
  });
  it('names the gate a path leads to', () => {
    assert.equal(targetOf('/console/users'), 'console');
    assert.equal(targetOf('/api/admin/sso/providers'), 'console');
    assert.equal(targetOf('/workforce'), 'workforce');
    assert.equal(targetOf('/consoles'), undefined);
    assert.equal(targetOf('/'), undefined);
  });
});

describe('provider URLs are https, or http on loopback only', () => {
  it('accepts https anywhere and http on 127.0.0.0/8 and ::1', () => {
    for (const ok of ['https://login.example.com/realms/x', 'http://127.0.0.1:8080', 'http://127.9.9.9/', 'http://[::1]:9000/metadata']) assert.equal(providerUrlProblem(ok), undefined, ok);
  });
  it('refuses http elsewhere, credentials in URLs, other schemes and non-URLs', () => {
    for (const bad of ['http://localhost:8080', 'http://10.0.0.1', 'http://[::2]/', 'http://128.0.0.1', 'ftp://127.0.0.1', 'https://user:pw@idp.example.com', 'not a url']) {
      assert.notEqual(providerUrlProblem(bad), undefined, bad);
    }
  });
  it('knows loopback addresses, IPv4-mapped ones included', () => {
    assert.equal(isLoopbackHost('127.0.0.1'), true);
    assert.equal(isLoopbackHost('[::1]'), true);
    assert.equal(isLoopbackHost('::ffff:127.0.0.1'), true);
    assert.equal(isLoopbackHost('localhost'), false);
  });
});
