import { existsSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { startPostgres } from './postgres-server.ts';

describe('startPostgres', () => {
  it('starts a throwaway PostgreSQL 15 that a pg client reaches, and removes it on stop', async () => {
    const server = await startPostgres();
    const dataDir = server.dataDir;
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ version: string }>('select version()');
      await client.end();
      expect(rows[0]!.version).toMatch(/^PostgreSQL 15\./);

      const url = await server.createDatabase('memoco_spec');
      const other = new pg.Client({ connectionString: url });
      await other.connect();
      const db = await other.query<{ db: string }>('select current_database() as db');
      await other.end();
      expect(db.rows[0]!.db).toBe('memoco_spec');
    } finally {
      await server.stop();
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses a database name that is not a plain identifier', async () => {
    const server = await startPostgres();
    try {
      await expect(server.createDatabase('x; drop')).rejects.toThrow("createDatabase: 'x; drop' is not a plain lower-case identifier");
    } finally {
      await server.stop();
    }
  });
});
