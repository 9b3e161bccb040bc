import type { FastifyInstance } from 'fastify';
import { AppError } from '../shared/errors.ts';
import { parseXmlBody } from './api/render/xml-body.ts';

/**
 * JSON and XML bodies, both as text first so a malformed one is answered with where it broke.
 * Other content types get Fastify's 415; bodies over the limit its 413.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  app.removeContentTypeParser(['application/json', 'text/plain']);
  app.addContentTypeParser(/^application\/(.+\+)?json$/, { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (error) {
      done(new AppError('bad_request', `malformed JSON body: ${(error as Error).message}`), undefined);
    }
  });
  app.addContentTypeParser(['application/xml', 'text/xml'], { parseAs: 'string' }, (_request, body, done) => {
    const text = String(body);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, parseXmlBody(text));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
}
