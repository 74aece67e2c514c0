/**
 * The fleet's catalogue beside the runs: models the controller has planned with (from the
 * trainers' announcements) and every host it has ever seen registered (issue 6: "models (id,
 * bytes, flows, created), hosts seen"). NATS holds the live state; this is the history.
 */
import type { Kysely } from 'kysely';
import type { MemocoDatabase } from './database-schema.ts';
import { hostSeenFromRow, modelFromRow, type HostSeenRecord, type ModelRecord } from './run-records.ts';

export interface HostSighting {
  name: string;
  version: string;
  cores: number;
  ports: unknown[];
  seenAtUnixMs: number;
}

export class CatalogRepository {
  constructor(private readonly db: Kysely<MemocoDatabase>) {}

  /** Records a model once; a second announcement of the same id changes nothing. */
  async recordModel(model: ModelRecord): Promise<void> {
    await this.db
      .insertInto('models')
      .values({
        id: model.id,
        bytes: model.bytes,
        flows: model.flows,
        predicted_packets: model.predictedPackets,
        trainer: model.trainer,
        summary: JSON.stringify(model.summary),
        created_at: new Date(model.createdAtUnixMs),
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async getModel(id: string): Promise<ModelRecord | undefined> {
    const row = await this.db.selectFrom('models').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? modelFromRow(row) : undefined;
  }

  async listModels(limit = 100): Promise<ModelRecord[]> {
    const rows = await this.db.selectFrom('models').selectAll().orderBy('created_at', 'desc').limit(limit).execute();
    return rows.map(modelFromRow);
  }

  /** Inserts or refreshes a host (its first sighting is kept). */
  async recordHostSeen(sighting: HostSighting): Promise<void> {
    const at = new Date(sighting.seenAtUnixMs);
    const ports = JSON.stringify(sighting.ports);
    await this.db
      .insertInto('hosts')
      .values({ name: sighting.name, version: sighting.version, cores: sighting.cores, ports, first_seen_at: at, last_seen_at: at })
      .onConflict((oc) => oc.column('name').doUpdateSet({ version: sighting.version, cores: sighting.cores, ports, last_seen_at: at }))
      .execute();
  }

  async listHostsSeen(): Promise<HostSeenRecord[]> {
    const rows = await this.db.selectFrom('hosts').selectAll().orderBy('name').execute();
    return rows.map(hostSeenFromRow);
  }
}
