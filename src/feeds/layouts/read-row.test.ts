import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnSpec, Layout } from './layout.ts';
import { mapHeader, readRow } from './read-row.ts';

const columns: ColumnSpec[] = [
  { name: 'Code', field: 'code', required: true, max: 4 },
  { name: 'Count', field: 'count', kind: 'integer' },
  { name: 'Enabled', field: 'enabled', kind: 'boolean' },
  { name: 'Limit', field: 'limit', kind: 'money' },
  { name: 'Tags', field: 'tags', kind: 'list' },
];
const layout = { id: 'test', title: 'Tests', folder: 'Users', columns, delimiters: [','], status: { active: ['active'], inactive: ['inactive'] } } as unknown as Layout;
const header = mapHeader(layout, { delimiter: ',', columns: ['Code', 'Count', 'Enabled', 'Limit', 'Tags', 'Status'] });
const read = (...values: string[]) => readRow(layout, header, { line: 7, values });

describe('reading a row against its layout', () => {
  it('types every cell, trims it, and reads a blank one as null (an empty list for a list)', () => {
    assert.deepEqual(read(' ab ', '12', 'Yes', '10.50 usd', 'a, b,,c', 'active'), {
      line: 7,
      values: { code: 'ab', count: 12, enabled: true, limit: { amount: '10.50', currency: 'USD' }, tags: ['a', 'b', 'c'], active: true },
      problems: [],
    });
    assert.deepEqual(read('ab', '', '', '', '', 'inactive').values, { code: 'ab', count: null, enabled: null, limit: null, tags: [], active: false });
  });

  it('counts length in characters: four emoji fit a maximum of 4 (eight UTF-16 units), five do not', () => {
    assert.deepEqual(read('😀😀😀😀', '', '', '', '', 'active').problems, []);
    assert.deepEqual(read('😀😀😀😀😀', '', '', '', '', 'active').problems, [{ column: 'Code', message: 'Code is too long (5 characters; maximum is 4)' }]);
    assert.deepEqual(read('abcde', '', '', '', '', 'active').problems, [{ column: 'Code', message: 'Code is too long (5 characters; maximum is 4)' }]);
  });

  it('names the column and the value of every cell that does not fit, and keeps the cells that do', () => {
    const row = read('ab', '1.5', 'maybe', '10 dollars', 'x', 'sometimes');
    assert.deepEqual(row.values, { code: 'ab', tags: ['x'] });
    assert.deepEqual(row.problems, [
      { column: 'Count', message: 'Count "1.5" is not a whole number' },
      { column: 'Enabled', message: 'Enabled "maybe" is not a boolean (Yes/No, True/False, Y/N, T/F, 1/0)' },
      { column: 'Limit', message: 'Limit "10 dollars" must look like 1000.00 USD' },
      { column: 'Status', message: 'Status "sometimes" must be active or inactive' },
    ]);
  });
});
