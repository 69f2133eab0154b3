import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AuditEvents1763700000100 implements MigrationInterface {
  name = 'AuditEvents1763700000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_events (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id uuid,
        env text CHECK (env IN ('test', 'live')),
        actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'operator', 'stripe', 'system')),
        actor_id text,
        action text NOT NULL,
        target_type text,
        target_id text,
        metadata jsonb NOT NULL DEFAULT '{}',
        request_id text,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX audit_events_tenant_idx ON audit_events (tenant_id, env, id DESC)`);
    // Append-only is enforced by the database, not just by the absence of a route.
    await db.query(`
      CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_events is append-only' USING ERRCODE = 'insufficient_privilege';
      END $$`);
    await db.query(`
      CREATE TRIGGER audit_events_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_events
      FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE audit_events');
    await db.query('DROP FUNCTION audit_events_append_only');
  }
}
