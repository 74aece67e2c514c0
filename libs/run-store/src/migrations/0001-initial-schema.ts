/**
 * The first schema of the run history (issue 6). Migrations take `Kysely<any>` on purpose
 * (Kysely's guidance): they must keep working when the app's table types move on.
 * Column types are the ones PostgreSQL 15 and PGlite share.
 */
import { sql, type Kysely } from 'kysely';
import type { Migration } from 'kysely/migration';

export const initialSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('models')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bytes', 'bigint', (c) => c.notNull())
      .addColumn('flows', 'bigint', (c) => c.notNull())
      .addColumn('predicted_packets', 'double precision', (c) => c.notNull())
      .addColumn('trainer', 'text', (c) => c.notNull())
      .addColumn('summary', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('hosts')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('version', 'text', (c) => c.notNull())
      .addColumn('cores', 'integer', (c) => c.notNull())
      .addColumn('ports', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
      .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull())
      .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('runs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('model_id', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('start_at', 'timestamptz', (c) => c.notNull())
      .addColumn('duration_s', 'double precision', (c) => c.notNull())
      .addColumn('rate_unit', 'text', (c) => c.notNull())
      .addColumn('rate_value', 'double precision', (c) => c.notNull())
      .addColumn('seed', 'bigint', (c) => c.notNull())
      .addColumn('host_count', 'integer', (c) => c.notNull())
      .addColumn('flow_count', 'bigint', (c) => c.notNull())
      .addColumn('predicted_packets', 'double precision', (c) => c.notNull())
      .addColumn('plan_ms', 'double precision', (c) => c.notNull())
      .addColumn('host_imbalance', 'double precision', (c) => c.notNull())
      .addColumn('cancel_requested_at', 'timestamptz')
      .addColumn('request', 'jsonb', (c) => c.notNull())
      .addColumn('created_at', 'timestamptz', (c) => c.notNull())
      .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      .execute();
    await db.schema.createIndex('runs_created_at_idx').on('runs').column('created_at').execute();
    await db.schema.createIndex('runs_status_idx').on('runs').column('status').execute();

    await db.schema
      .createTable('run_hosts')
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('host', 'text', (c) => c.notNull())
      .addColumn('host_index', 'integer', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('cores', 'integer', (c) => c.notNull())
      .addColumn('flow_count', 'bigint', (c) => c.notNull())
      .addColumn('predicted_packets', 'double precision', (c) => c.notNull())
      .addColumn('packets', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('bytes', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('out_of_order', 'bigint', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('started_at', 'timestamptz')
      .addColumn('finished_at', 'timestamptz')
      .addColumn('last_report_at', 'timestamptz')
      .addPrimaryKeyConstraint('run_hosts_pk', ['run_id', 'host'])
      .execute();

    await db.schema
      .createTable('run_events')
      .addColumn('id', 'bigserial', (c) => c.primaryKey())
      .addColumn('run_id', 'text', (c) => c.notNull().references('runs.id').onDelete('cascade'))
      .addColumn('at', 'timestamptz', (c) => c.notNull())
      .addColumn('host', 'text')
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('message', 'text', (c) => c.notNull())
      .addColumn('data', 'jsonb')
      .execute();
    await db.schema.createIndex('run_events_run_idx').on('run_events').columns(['run_id', 'id']).execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const table of ['run_events', 'run_hosts', 'runs', 'hosts', 'models']) await db.schema.dropTable(table).execute();
  },
};
