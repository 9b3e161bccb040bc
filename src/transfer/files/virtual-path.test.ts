import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeVirtualPath } from './virtual-path.ts';
import { isPermitted, locate } from './virtual-tree.ts';

const path = (raw: string) => {
  const parsed = normalizeVirtualPath(raw);
  return parsed.ok ? parsed.path : `refused: ${parsed.reason}`;
};

describe('virtual paths', () => {
  it('normalises with posix rules; relative paths start at the root', () => {
    assert.equal(path('.'), '/');
    assert.equal(path(''), '/');
    assert.equal(path('Incoming/CCW'), '/Incoming/CCW');
    assert.equal(path('/Incoming//CCW/./a.csv'), '/Incoming/CCW/a.csv');
    assert.equal(path('/Incoming/CCW/../Users/a.csv'), '/Incoming/Users/a.csv');
    assert.equal(path('Incoming\\CCW\\a.csv'), '/Incoming/CCW/a.csv');
  });

  it('refuses .. above the root, control characters, NUL, overlong names and paths', () => {
    for (const raw of ['..', '/..', '../etc/passwd', '/Incoming/../../etc', '\\..\\..\\etc\\passwd', '/Incoming/CCW\\..\\..\\..\\x']) {
      assert.match(path(raw), /refused: ".." above the root/, raw);
    }
    assert.match(path('/Incoming/CCW/a\u0000b'), /refused: NUL or control/);
    assert.match(path('/Incoming/CCW/a\nb'), /refused: NUL or control/);
    assert.match(path('/Incoming/CCW/a\u007f'), /refused: NUL or control/);
    assert.match(path(`/Incoming/CCW/${'x'.repeat(256)}`), /refused: name longer than 255/);
    assert.equal(path(`/Incoming/CCW/${'x'.repeat(255)}`), `/Incoming/CCW/${'x'.repeat(255)}`);
    assert.match(path(`/${'a/'.repeat(513)}`), /refused: path longer than 1024/);
    assert.match(path('/Incoming/\ufffd'), /not valid UTF-8/);
  });
});

describe('the tree of an account', () => {
  const folders = ['CCW', 'Users'] as const;
  const at = (raw: string) => {
    const parsed = normalizeVirtualPath(raw);
    assert.ok(parsed.ok);
    return locate(parsed.segments, folders);
  };

  it('has the listable parents and three folders per feed folder', () => {
    assert.deepEqual(at('/'), { kind: 'parent', path: '/', children: ['Archive', 'Incoming', 'Outgoing'] });
    assert.deepEqual(at('/Incoming'), { kind: 'parent', path: '/Incoming', children: ['CCW', 'Users'] });
    assert.deepEqual(at('/Archive'), { kind: 'parent', path: '/Archive', children: ['Incoming'] });
    assert.deepEqual(at('/Archive/Incoming'), { kind: 'parent', path: '/Archive/Incoming', children: ['CCW', 'Users'] });
    assert.deepEqual(at('/Outgoing/CCW'), { kind: 'folder', path: '/Outgoing/CCW', area: 'outgoing', folder: 'CCW' });
    assert.deepEqual(at('/Archive/Incoming/Users/x.csv'), { kind: 'file', path: '/Archive/Incoming/Users/x.csv', area: 'archive', folder: 'Users', name: 'x.csv' });
  });

  it('has nothing else: other folders, sibling prefixes, subdirectories, host paths', () => {
    for (const raw of ['/etc/passwd', '/Incoming/Accounts', '/Incoming/CCWx', '/Incoming/ccw', '/Incoming/CCW/sub/a.csv', '/Archive/CCW', '/Archive/Outgoing/CCW', '/tmp']) {
      assert.equal(at(raw), undefined, raw);
    }
  });

  it('allows upload, rename and delete in Incoming; download and delete in Outgoing; download in Archive', () => {
    assert.ok(isPermitted('incoming', 'write') && isPermitted('incoming', 'rename') && isPermitted('incoming', 'delete'));
    assert.ok(!isPermitted('incoming', 'read'));
    assert.ok(isPermitted('outgoing', 'read') && isPermitted('outgoing', 'delete') && !isPermitted('outgoing', 'write') && !isPermitted('outgoing', 'rename'));
    assert.ok(isPermitted('archive', 'read') && !isPermitted('archive', 'delete') && !isPermitted('archive', 'write'));
  });
});
