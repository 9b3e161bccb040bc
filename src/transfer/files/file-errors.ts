import { AppError } from '../../shared/errors.ts';

/**
 * What a file request can fail with, protocol-neutral. Each front end translates these once
 * (the SFTP adapter: sftp-status.ts).
 */

/** Outside the account's tree, or not allowed there: permission denied, audited as path_refused. */
export class PathRefusedError extends AppError {
  readonly path: string;
  readonly reason: string;
  constructor(path: string, reason: string) {
    super('forbidden', 'permission denied');
    this.name = 'PathRefusedError';
    this.path = path;
    this.reason = reason;
  }
}

/** The account's storage quota would be exceeded; the upload is abandoned. */
export class QuotaExceededError extends AppError {
  constructor(quotaBytes: number) {
    super('payload_too_large', `storage quota of ${quotaBytes} bytes exceeded`);
    this.name = 'QuotaExceededError';
  }
}

export const noSuchFile = (path: string) => new AppError('not_found', `no such file: ${path}`);
export const fileExists = (path: string) => new AppError('conflict', `file exists: ${path}`);
export const unsupported = (what: string) => new AppError('method_not_allowed', `${what} is not supported`);
export const badHandle = () => new AppError('bad_request', 'invalid handle');
export const tooManyHandles = (max: number) => new AppError('rate_limited', `more than ${max} open handles`);
