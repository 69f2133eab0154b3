import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * When each user last stopped belonging to each tenant. Removing a member deletes the membership
 * row and writes this one in the same statement, so the comp rule ("not a tenant you belonged to in
 * the last 30 days") cannot be dodged by leaving a tenant and coming back.
 */
export class FormerMemberships1763700001000 implements MigrationInterface {
  name = 'FormerMemberships1763700001000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE former_memberships (
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        left_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (tenant_id, user_id)
      )`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE former_memberships');
  }
}
