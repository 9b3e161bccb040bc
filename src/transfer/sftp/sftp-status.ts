import ssh2 from 'ssh2';
import { AppError } from '../../shared/errors.ts';
import { errnoCode } from '../../storage/index.ts';

const { STATUS_CODE } = ssh2.utils.sftp;

export interface SftpStatus {
  code: number;
  message: string;
  /** Not a refusal the client earned: worth an error log. */
  unexpected: boolean;
}

const byAppCode: Partial<Record<AppError['code'], number>> = {
  forbidden: STATUS_CODE.PERMISSION_DENIED,
  not_found: STATUS_CODE.NO_SUCH_FILE,
  method_not_allowed: STATUS_CODE.OP_UNSUPPORTED,
  conflict: STATUS_CODE.FAILURE,
  payload_too_large: STATUS_CODE.FAILURE,
  rate_limited: STATUS_CODE.FAILURE,
  bad_request: STATUS_CODE.FAILURE,
};

const byErrno: Record<string, { code: number; message: string }> = {
  ENOENT: { code: STATUS_CODE.NO_SUCH_FILE, message: 'no such file' },
  ENOTDIR: { code: STATUS_CODE.NO_SUCH_FILE, message: 'no such file' },
  EACCES: { code: STATUS_CODE.PERMISSION_DENIED, message: 'permission denied' },
  EPERM: { code: STATUS_CODE.PERMISSION_DENIED, message: 'permission denied' },
  ELOOP: { code: STATUS_CODE.PERMISSION_DENIED, message: 'permission denied' },
  ENOSPC: { code: STATUS_CODE.FAILURE, message: 'no space left on the server' },
  EDQUOT: { code: STATUS_CODE.FAILURE, message: 'no space left on the server' },
};

/** The one translation of a file session error into an SFTP status; nothing internal reaches the client. */
export function toSftpStatus(error: unknown): SftpStatus {
  if (error instanceof AppError) {
    const code = byAppCode[error.code];
    if (code !== undefined) return { code, message: error.message, unexpected: false };
  }
  const known = byErrno[errnoCode(error) ?? ''];
  if (known) return { ...known, unexpected: false };
  return { code: STATUS_CODE.FAILURE, message: 'internal error', unexpected: true };
}
