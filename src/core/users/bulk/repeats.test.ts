import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hash52, RepeatDetector } from './repeats.ts';

test('a value shown twice is a repeat, however many values come between and however the table grew', () => {
  const seen = new RepeatDetector();
  seen.add('anna@example.com');
  for (let i = 0; i < 50_000; i++) seen.add(`user${i}@example.com`);
  assert.equal(seen.mayRepeat(), false);
  seen.add('anna@example.com');
  assert.equal(seen.mayRepeat(), true);
});

test('distinct values, nulls and values differing only in case or by a character are no repeat', () => {
  const seen = new RepeatDetector();
  for (const value of ['E1', 'e1', 'E10', 'E1 ', 'É1', '', null, null, undefined, 'Ж1', '😀', '😁']) seen.add(value);
  assert.equal(seen.mayRepeat(), false);
});

test('the empty string is a value (SQL groups it), so two of them repeat', () => {
  const seen = new RepeatDetector();
  seen.add('');
  seen.add('');
  assert.equal(seen.mayRepeat(), true);
});

test('hashes are whole numbers within 52 bits', () => {
  for (const value of ['', 'a', 'user123456@example.com', '\u0000', '\uffff'.repeat(100)]) {
    const hash = hash52(value);
    assert.ok(hash >= 0 && hash < 2 ** 52 && Number.isInteger(hash), `${JSON.stringify(value)} -> ${hash}`);
  }
});
