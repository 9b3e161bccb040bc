/**
 * Error bodies in both formats. JSON always has one shape, `{"errors":{"<key>":["message", ...]}}`:
 * for a ValidationError the key is the resource's singular name (`user`), as the Core API does;
 * for every other error it is the error's stable code (`not_found`, `bad_query`, ...). XML lists
 * the messages as `<errors><error>...</error></errors>`; errors other than validation failures
 * carry their code as an attribute. Unknown errors become `internal` and never show their message.
 */
import { AppError, ValidationError } from '../../../shared/errors.ts';
import type { ResponseFormat } from './format.ts';
import { escapeXmlAttribute, escapeXmlText, xmlDocument } from './xml.ts';

/** The list query that matched nothing: XML answers this with 404, JSON with `[]` and 200. */
export const NO_RESULTS_MESSAGE = 'No results match your search criteria.';

const INTERNAL_MESSAGE = 'Internal server error';

export interface ErrorBody {
  errors: Record<string, string[]>;
}

export interface RenderedError {
  status: number;
  body: string;
}

/** Any thrown value as an AppError; anything else is an internal error. */
export function toAppError(error: unknown): AppError {
  return error instanceof AppError ? error : new AppError('internal', INTERNAL_MESSAGE, { cause: error });
}

/** The sentences a client is shown: one per problem for validation, otherwise the message. */
export function errorMessages(error: AppError): string[] {
  if (error.code === 'internal') {
    return [INTERNAL_MESSAGE];
  }
  if (error instanceof ValidationError && error.problems.length > 0) {
    return error.problems.map((problem) => problem.message);
  }
  return [error.message];
}

export function errorBody(error: AppError): ErrorBody {
  const key = error instanceof ValidationError ? error.resource : error.code;
  return { errors: { [key]: errorMessages(error) } };
}

export function renderErrorJson(error: unknown): string {
  return JSON.stringify(errorBody(toAppError(error)));
}

export function renderErrorXml(error: unknown): string {
  const appError = toAppError(error);
  const code = appError instanceof ValidationError ? undefined : appError.code;
  return renderErrorsXml(errorMessages(appError), code);
}

/** `<errors><error>No results match your search criteria.</error></errors>`, sent with 404. */
export function renderNoResultsXml(): string {
  return renderErrorsXml([NO_RESULTS_MESSAGE]);
}

/** Status and body for an error in the negotiated format (JSON when none was negotiated). */
export function renderError(error: unknown, format: ResponseFormat | null): RenderedError {
  const appError = toAppError(error);
  const body = format === 'xml' ? renderErrorXml(appError) : renderErrorJson(appError);
  return { status: appError.status, body };
}

function renderErrorsXml(messages: readonly string[], code?: string): string {
  const attribute = code === undefined ? '' : ` code="${escapeXmlAttribute(code)}"`;
  const lines = messages.map((message) => `  <error${attribute}>${escapeXmlText(message)}</error>`);
  return xmlDocument(['<errors>', ...lines, '</errors>']);
}
