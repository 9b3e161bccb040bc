import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError, NotFoundError, QueryError, ValidationError } from '../../../shared/errors.ts';
import { renderError, renderErrorJson, renderErrorXml, renderNoResultsXml } from './errors.ts';

const invalidUser = new ValidationError('user', [
  { field: 'email', message: "Email can't be blank" },
  { field: 'login', message: 'Login has already been taken' },
]);

describe('error bodies', () => {
  it('renders a validation error keyed by the resource', () => {
    assert.equal(renderErrorJson(invalidUser), `{"errors":{"user":["Email can't be blank","Login has already been taken"]}}`);
    assert.equal(
      renderErrorXml(invalidUser),
      '<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>Email can\'t be blank</error>\n' +
        '  <error>Login has already been taken</error>\n</errors>\n',
    );
  });

  it('renders other errors keyed by their stable code', () => {
    const notFound = new NotFoundError('user', 5);
    assert.equal(renderErrorJson(notFound), '{"errors":{"not_found":["user id 5 not found"]}}');
    assert.equal(
      renderErrorXml(new QueryError('limit', 'must be <= 50 & > 0')),
      '<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error code="bad_query">limit: must be &lt;= 50 &amp; &gt; 0</error>\n</errors>\n',
    );
  });

  it('hides the message of internal and unknown errors', () => {
    assert.equal(renderErrorJson(new Error('password=hunter2')), '{"errors":{"internal":["Internal server error"]}}');
    assert.equal(renderErrorJson(new AppError('internal', 'db at 10.0.0.1')), '{"errors":{"internal":["Internal server error"]}}');
  });

  it('renders the no-results document', () => {
    assert.equal(
      renderNoResultsXml(),
      '<?xml version="1.0" encoding="UTF-8"?>\n<errors>\n  <error>No results match your search criteria.</error>\n</errors>\n',
    );
  });

  it('pairs the status with the body in the negotiated format', () => {
    assert.deepEqual(renderError(invalidUser, 'json'), {
      status: 422,
      body: `{"errors":{"user":["Email can't be blank","Login has already been taken"]}}`,
    });
    assert.equal(renderError(new AppError('rate_limited', 'Slow down'), 'xml').status, 429);
    assert.match(renderError(new AppError('rate_limited', 'Slow down'), null).body, /^\{"errors":\{"rate_limited":/);
  });
});
