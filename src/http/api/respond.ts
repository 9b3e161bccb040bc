import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { NO_RESULTS_MESSAGE, renderNoResultsXml } from './render/errors.ts';
import { negotiateFormat, type ResponseFormat } from './render/format.ts';
import { renderJson } from './render/json.ts';
import type { ApiValue } from './render/values.ts';
import { renderXml } from './render/xml.ts';

export const contentTypes: Record<ResponseFormat, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
};

export function responseFormat(request: FastifyRequest): ResponseFormat {
  const format = negotiateFormat(request.headers.accept);
  if (format === null) throw new AppError('not_acceptable', 'Accept must allow application/json or application/xml');
  return format;
}

/** Sends a presented value in the format the client asked for; `rootName` names the XML root. */
export function send(request: FastifyRequest, reply: FastifyReply, status: number, value: ApiValue, rootName: string): FastifyReply {
  const format = responseFormat(request);
  if (format === 'xml' && Array.isArray(value) && value.length === 0) {
    // The platform answers an XML list query that matched nothing with 404 and an errors document.
    return reply.code(404).type(contentTypes.xml).send(renderNoResultsXml());
  }
  const body = format === 'xml' ? renderXml(value, rootName) : renderJson(value);
  return reply.code(status).type(contentTypes[format]).send(body);
}

export { NO_RESULTS_MESSAGE };
