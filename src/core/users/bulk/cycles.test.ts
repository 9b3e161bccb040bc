import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findLoops } from './cycles.ts';

/** A graph from [id, manager] pairs (sorted by id, as the loader reads them). */
function graph(pairs: Array<[number, number | null]>) {
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  return {
    ids: Int32Array.from(sorted.map(([id]) => id)),
    parents: Int32Array.from(sorted.map(([, parent]) => parent ?? -1)),
    size: sorted.length,
  };
}

describe('manager loops', () => {
  it('finds every user on a loop, in walk order, and nothing on a tree', () => {
    const g = graph([[1, null], [2, 1], [3, 2], [10, 12], [11, 10], [12, 11], [13, 10]]);
    const loops = findLoops(g, g.ids);
    assert.deepEqual([...loops.keys()].sort((a, b) => a - b), [10, 11, 12]);
    assert.deepEqual(loops.get(13), undefined, 'a user reporting into a loop is not on it');
    const loop = loops.get(11)!;
    assert.equal(loop.length, 3);
    assert.deepEqual([...loop].sort((a, b) => a - b), [10, 11, 12]);
    assert.equal(loop[(loop.indexOf(11) + 1) % 3], 10, 'each member is followed by its manager');
  });

  it('walks only from the given users and ignores managers outside the graph', () => {
    const g = graph([[1, 2], [2, 1], [5, 99]]);
    assert.equal(findLoops(g, [5]).size, 0);
    assert.deepEqual(findLoops(g, [2]).get(1), [2, 1]);
  });

  it('handles a chain of 200,000 users without recursion or per-user objects', () => {
    const n = 200_000;
    const ids = new Int32Array(n);
    const parents = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      ids[i] = i + 1;
      parents[i] = i === 0 ? n : i; // user i+1 reports to user i; user 1 to the last: one loop of all
    }
    const loops = findLoops({ ids, parents, size: n }, [n]);
    assert.equal(loops.size, n);
  });
});
