import ssh2, { type Attributes, type FileEntry, type InputAttributes } from 'ssh2';
import type { AttributeChange, FileInfo, OpenMode } from '../files/index.ts';

const { OPEN_MODE } = ssh2.utils.sftp;
const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;

/** SFTP ATTRS of an entry; owner and group are shown as 0, the tree has no users. */
export function toAttributes(info: FileInfo): Attributes {
  const type = info.kind === 'directory' ? S_IFDIR : S_IFREG;
  return {
    mode: type | info.permissions,
    uid: 0,
    gid: 0,
    size: info.size,
    atime: Math.floor(info.atime.getTime() / 1000),
    mtime: Math.floor(info.mtime.getTime() / 1000),
  };
}

export function toFileEntry(info: FileInfo, now: Date): FileEntry {
  return { filename: info.name, longname: longname(info, now), attrs: toAttributes(info) };
}

const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const halfYearMs = 182 * 24 * 3600 * 1000;

/** `ls -l` style, as OpenSSH's sftp-server writes it (clients show it for `ls -l`). */
export function longname(info: FileInfo, now: Date): string {
  const bits = ['r', 'w', 'x'];
  const perms = Array.from({ length: 9 }, (_, i) => ((info.permissions >> (8 - i)) & 1 ? bits[i % 3] : '-')).join('');
  const t = info.mtime;
  const recent = Math.abs(now.getTime() - t.getTime()) < halfYearMs;
  const when = `${months[t.getUTCMonth()]} ${String(t.getUTCDate()).padStart(2)} ${
    recent ? `${String(t.getUTCHours()).padStart(2, '0')}:${String(t.getUTCMinutes()).padStart(2, '0')}` : ` ${t.getUTCFullYear()}`
  }`;
  const type = info.kind === 'directory' ? 'd' : '-';
  return `${type}${perms}    1 workgate workgate ${String(info.size).padStart(8)} ${when} ${info.name}`;
}

export function toOpenMode(flags: number): OpenMode {
  return {
    read: (flags & OPEN_MODE.READ) !== 0,
    write: (flags & (OPEN_MODE.WRITE | OPEN_MODE.APPEND)) !== 0,
    create: (flags & OPEN_MODE.CREAT) !== 0,
    truncate: (flags & OPEN_MODE.TRUNC) !== 0,
    exclusive: (flags & OPEN_MODE.EXCL) !== 0,
  };
}

export function toAttributeChange(attrs: InputAttributes): AttributeChange {
  const change: AttributeChange = {};
  if (attrs.size !== undefined) change.size = attrs.size;
  if (attrs.mode !== undefined) change.permissions = typeof attrs.mode === 'number' ? attrs.mode : Number.parseInt(attrs.mode, 8);
  if (attrs.uid !== undefined) change.uid = attrs.uid;
  if (attrs.gid !== undefined) change.gid = attrs.gid;
  if (attrs.atime !== undefined) change.atime = toDate(attrs.atime);
  if (attrs.mtime !== undefined) change.mtime = toDate(attrs.mtime);
  return change;
}

function toDate(value: number | Date): Date {
  return value instanceof Date ? value : new Date(value * 1000);
}
