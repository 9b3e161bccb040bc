import type { QuerySchema } from '../query/types.ts';

/** The query language over data_file_sources (feed runs), element names as the API renders them. */
export const runQuerySchema: QuerySchema = {
  resource: 'data-file-source',
  table: 'feed_runs',
  fields: {
    id: { type: 'integer', column: 'id' },
    'file-name': { type: 'string', column: 'file_name' },
    folder: { type: 'string', column: 'folder' },
    status: { type: 'string', column: 'status' },
    layout: { type: 'string', column: 'layout' },
    mode: { type: 'string', column: 'mode' },
    'account-id': { type: 'integer', column: 'account_id' },
    size: { type: 'integer', column: 'size' },
    sha256: { type: 'string', column: 'sha256' },
    'error-count': { type: 'integer', column: 'error_count' },
    'created-at': { type: 'datetime', column: 'created_at' },
    'updated-at': { type: 'datetime', column: 'updated_at' },
    'started-at': { type: 'datetime', column: 'started_at' },
    'finished-at': { type: 'datetime', column: 'finished_at' },
  },
  associations: {},
};
