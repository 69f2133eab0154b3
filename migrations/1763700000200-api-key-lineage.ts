import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Which key issued a key, so revoking one revokes what it issued. */
export class ApiKeyLineage1763700000200 implements MigrationInterface {
  name = 'ApiKeyLineage1763700000200';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      'ALTER TABLE api_keys ADD COLUMN created_by_api_key_id uuid REFERENCES api_keys(id) ON DELETE SET NULL',
    );
    await db.query(
      'CREATE INDEX api_keys_created_by_key_idx ON api_keys (created_by_api_key_id) WHERE created_by_api_key_id IS NOT NULL',
    );
    await db.query(
      'CREATE INDEX api_keys_created_by_user_idx ON api_keys (tenant_id, created_by_user_id) WHERE revoked_at IS NULL',
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('ALTER TABLE api_keys DROP COLUMN created_by_api_key_id');
    await db.query('DROP INDEX IF EXISTS api_keys_created_by_user_idx');
  }
}
