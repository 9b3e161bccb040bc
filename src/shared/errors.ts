/**
 * One error family with stable codes. Each transport translates it once: HTTP status and body,
 * SFTP status, result-file message.
 */
export const errorCodes = {
  validation_failed: 422,
  bad_request: 400,
  bad_query: 400,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  forbidden: 403,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
  }
}

export interface FieldProblem {
  /** The element (API) or column (file) the problem concerns, e.g. "email" or "manager". */
  field: string;
  /** A full sentence a person can act on, e.g. "Email can't be blank". */
  message: string;
}

/** A record failed the domain's rules; `resource` is the singular element name ("user"). */
export class ValidationError extends AppError {
  readonly resource: string;
  readonly problems: FieldProblem[];
  constructor(resource: string, problems: FieldProblem[]) {
    super('validation_failed', problems.map((p) => p.message).join('; '));
    this.name = 'ValidationError';
    this.resource = resource;
    this.problems = problems;
  }
}

export class NotFoundError extends AppError {
  constructor(resource: string, key: string | number) {
    super('not_found', `${resource} ${typeof key === 'number' ? `id ${key}` : key} not found`);
    this.name = 'NotFoundError';
  }
}

/** A malformed query argument; `parameter` names it as the client wrote it. */
export class QueryError extends AppError {
  readonly parameter: string;
  constructor(parameter: string, message: string) {
    super('bad_query', `${parameter}: ${message}`);
    this.name = 'QueryError';
    this.parameter = parameter;
  }
}
