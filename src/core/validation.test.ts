import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Problems } from './validation.ts';

const tooLong = (max: number) => `Name is too long (maximum is ${max} characters)`;
const tooShort = (min: number) => `Name is too short (minimum is ${min} characters)`;

function lengthProblem(value: string, max: number, min = 0): string | undefined {
  const problems = new Problems('user');
  problems.length('name', 'Name', value, max, min);
  try {
    problems.throwIfAny();
    return undefined;
  } catch (error) {
    return (error as { problems: Array<{ message: string }> }).problems[0]?.message;
  }
}

describe('Problems.length counts characters (code points), as the platform does', () => {
  it('counts an emoji or any character outside the BMP as one', () => {
    assert.equal(lengthProblem('😀😀😀', 3), undefined);
    assert.equal(lengthProblem('😀😀😀😀', 3), tooLong(3));
    assert.equal(lengthProblem('a😀', 2), undefined);
    assert.equal(lengthProblem('😀', 2, 2), tooShort(2));
    assert.equal(lengthProblem('😀b', 5, 2), undefined);
  });

  it('agrees with counting by the string iterator on every boundary, lone surrogates included', () => {
    const values = ['', 'a', 'ab', 'abc', 'é', '😀', '😀a', 'a😀', '😀😀', '\ud800', '\udc00', '\ud800a', 'a\udc00', '\udc00\ud800', '😀\ud800', 'x'.repeat(50), '😀'.repeat(25)];
    for (const value of values) {
      const chars = [...value].length;
      for (let max = 0; max <= 52; max++) {
        for (const min of [0, 1, 2, 3, 25, 26]) {
          const expected = chars > max ? tooLong(max) : chars < min && chars > 0 ? tooShort(min) : undefined;
          assert.equal(lengthProblem(value, max, min), expected, `${JSON.stringify(value)} max ${max} min ${min}`);
        }
      }
    }
  });

  it('says nothing about a missing value', () => {
    const problems = new Problems('user');
    problems.length('name', 'Name', null, 1, 1);
    problems.length('name', 'Name', undefined, 1, 1);
    assert.equal(problems.count, 0);
  });
});
