import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generatePassword, passwordMaxLength, passwordMinLength, passwordProblems } from './password-policy.ts';

describe('password policy', () => {
  it('accepts 12 characters and more, up to 1024', () => {
    assert.deepEqual(passwordProblems('jdoe', 'a'.repeat(passwordMinLength)), []);
    assert.deepEqual(passwordProblems('jdoe', 'correct horse battery staple'), []);
    assert.deepEqual(passwordProblems('jdoe', 'x'.repeat(passwordMaxLength)), []);
  });

  it('refuses a short password, saying the minimum and the length given', () => {
    assert.deepEqual(passwordProblems('jdoe', 'short'), ['Password is too short (minimum is 12 characters, got 5)']);
    assert.deepEqual(passwordProblems('jdoe', ''), ['Password is too short (minimum is 12 characters, got 0)']);
  });

  it('counts characters, not bytes or UTF-16 units', () => {
    assert.equal(passwordProblems('jdoe', '🔑'.repeat(11)).length, 1, 'eleven emoji are eleven characters');
    assert.deepEqual(passwordProblems('jdoe', 'ü'.repeat(12)), []);
  });

  it('refuses a password longer than 1024 characters', () => {
    assert.deepEqual(passwordProblems('jdoe', 'x'.repeat(passwordMaxLength + 1)), ['Password is too long (maximum is 1024 characters)']);
  });

  it('refuses the user name as password, whatever the case', () => {
    assert.deepEqual(passwordProblems('integration.bot', 'Integration.BOT'), ['Password must not be the user name']);
    assert.deepEqual(passwordProblems('integration.bot', 'integration.bot'), ['Password must not be the user name']);
    assert.deepEqual(passwordProblems('integration.bot', 'integration.bot1'), []);
  });

  it('generates 24 random base64url characters that pass the policy, different every time', () => {
    const passwords = Array.from({ length: 50 }, generatePassword);
    for (const password of passwords) {
      assert.match(password, /^[A-Za-z0-9_-]{24}$/);
      assert.deepEqual(passwordProblems('jdoe', password), []);
    }
    assert.equal(new Set(passwords).size, passwords.length);
  });
});
