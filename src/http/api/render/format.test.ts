import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { negotiateFormat } from './format.ts';

describe('negotiateFormat', () => {
  const cases: Array<[string | undefined, 'json' | 'xml' | null]> = [
    [undefined, 'json'],
    ['', 'json'],
    ['*/*', 'json'],
    ['application/json', 'json'],
    ['application/json; charset=utf-8', 'json'],
    ['application/*', 'json'],
    ['application/xml', 'xml'],
    ['text/xml', 'xml'],
    ['text/*', 'xml'],
    ['APPLICATION/XML', 'xml'],
    ['application/xml, application/json', 'xml'],
    ['application/json, application/xml', 'json'],
    ['application/json;q=0.5, application/xml', 'xml'],
    ['application/xml;q=0.5, application/json;q=0.9', 'json'],
    ['*/*, application/xml', 'xml'],
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'xml'],
    ['application/json;q=0, */*', 'xml'],
    ['application/xml;q=0, */*', 'json'],
    ['text/html', null],
    ['application/json;q=0', null],
    ['text/html, image/png;q=0.5', null],
    ['nonsense', 'json'],
    ['application/json;q=2, text/xml', 'xml'],
  ];
  for (const [header, expected] of cases) {
    it(`${JSON.stringify(header)} -> ${expected}`, () => {
      assert.equal(negotiateFormat(header), expected);
    });
  }
});
