import type { Logger } from 'pino';
import ssh2, { type SFTPWrapper } from 'ssh2';
import type { FileInfo, FileSession } from '../files/index.ts';
import { toAttributeChange, toAttributes, toFileEntry, toOpenMode } from './sftp-attrs.ts';
import { toSftpStatus } from './sftp-status.ts';

const { STATUS_CODE } = ssh2.utils.sftp;

/** Largest READ answered: 1 KiB under 256 KiB so a DATA reply fits the packets clients accept (see the ssh2 patch). */
export const maxReadLength = 256 * 1024 - 1024;

/**
 * The thin SFTP front end: decodes each request, calls the protocol-neutral file session, and encodes
 * the answer. Errors are translated here, once, into SFTP statuses.
 */
export function serveSftp(stream: SFTPWrapper, session: FileSession, log: Logger, clock: () => Date): void {
  const fail = (id: number, error: unknown) => {
    const status = toSftpStatus(error);
    if (status.unexpected) log.error({ err: error }, 'sftp request failed');
    stream.status(id, status.code, status.message);
  };
  const answer = <T>(id: number, work: () => Promise<T>, reply: (value: T) => void) => {
    work().then(reply, (error: unknown) => fail(id, error));
  };
  const ok = (id: number) => () => stream.status(id, STATUS_CODE.OK);
  const attrs = (id: number) => (info: FileInfo) => stream.attrs(id, toAttributes(info));
  const handle = (id: number) => (h: number) => stream.handle(id, encodeHandle(h));

  stream.on('REALPATH', (id: number, path: string) =>
    answer(id, () => session.realpath(path), (p) => stream.name(id, [{ filename: p, longname: p, attrs: {} as never }])),
  );
  stream.on('STAT', (id: number, path: string) => answer(id, () => session.stat(path), attrs(id)));
  stream.on('LSTAT', (id: number, path: string) => answer(id, () => session.stat(path), attrs(id)));
  stream.on('FSTAT', (id: number, h: Buffer) => answer(id, () => session.statHandle(decodeHandle(h)), attrs(id)));
  stream.on('OPENDIR', (id: number, path: string) => answer(id, () => session.openDirectory(path), handle(id)));
  stream.on('READDIR', (id: number, h: Buffer) =>
    answer(id, () => session.readDirectory(decodeHandle(h)), (page) => {
      if (page === undefined) stream.status(id, STATUS_CODE.EOF);
      else stream.name(id, page.map((info) => toFileEntry(info, clock())));
    }),
  );
  stream.on('OPEN', (id: number, path: string, flags: number) => answer(id, () => session.open(path, toOpenMode(flags)), handle(id)));
  stream.on('READ', (id: number, h: Buffer, offset: number, length: number) =>
    answer(id, () => session.read(decodeHandle(h), offset, Math.min(length, maxReadLength)), (data) => {
      if (data === undefined) stream.status(id, STATUS_CODE.EOF);
      else stream.data(id, data);
    }),
  );
  stream.on('WRITE', (id: number, h: Buffer, offset: number, data: Buffer) => answer(id, () => session.write(decodeHandle(h), offset, data), ok(id)));
  stream.on('CLOSE', (id: number, h: Buffer) => answer(id, () => session.close(decodeHandle(h)), ok(id)));
  stream.on('SETSTAT', (id: number, path: string, a: ssh2.InputAttributes) => answer(id, () => session.setAttributes(path, toAttributeChange(a)), ok(id)));
  stream.on('FSETSTAT', (id: number, h: Buffer, a: ssh2.InputAttributes) =>
    answer(id, () => session.setHandleAttributes(decodeHandle(h), toAttributeChange(a)), ok(id)),
  );
  stream.on('REMOVE', (id: number, path: string) => answer(id, () => session.remove(path), ok(id)));
  stream.on('RENAME', (id: number, from: string, to: string) => answer(id, () => session.rename(from, to), ok(id)));
  stream.on('MKDIR', (id: number, path: string) => answer(id, () => session.refuse('mkdir', path), ok(id)));
  stream.on('RMDIR', (id: number, path: string) => answer(id, () => session.refuse('rmdir', path), ok(id)));
  stream.on('SYMLINK', (id: number, linkPath: string) => answer(id, () => session.refuse('symlink', linkPath), ok(id)));
  stream.on('READLINK', (id: number, path: string) => answer(id, () => session.refuse('readlink', path), ok(id)));
  stream.on('EXTENDED', (id: number, name: string, data: Buffer | undefined) => {
    if (name === 'hardlink@openssh.com') answer(id, () => session.refuse('link', firstString(data)), ok(id));
    else stream.status(id, STATUS_CODE.OP_UNSUPPORTED);
  });
  // A malformed or oversized packet is fatal to this SFTP channel only; ssh2 closes it after the event.
  stream.on('error', (error: Error) => log.info({ err: error.message }, 'sftp protocol error: channel closed'));
  // The client's EOF ends the SFTP stream (else `sftp -b` waits forever for the channel to close).
  stream.on('end', () => stream.end());
  stream.on('close', () => {
    session.end().catch((error: unknown) => log.error({ err: error }, 'could not end the file session'));
  });
}

function encodeHandle(id: number): Buffer {
  const buffer = Buffer.allocUnsafe(4);
  buffer.writeUInt32BE(id, 0);
  return buffer;
}

/** A handle we did not hand out reads as 0, which no session has. */
function decodeHandle(handle: Buffer): number {
  return handle.length === 4 ? handle.readUInt32BE(0) : 0;
}

function firstString(data: Buffer | undefined): string {
  if (!data || data.length < 4) return '';
  const length = data.readUInt32BE(0);
  return data.subarray(4, 4 + Math.min(length, 2048)).toString('utf8');
}
