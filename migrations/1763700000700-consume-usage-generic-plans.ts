import type { MigrationInterface, QueryRunner } from 'typeorm';

const SIGNATURE =
  'consume_usage(uuid[], text[], text[], timestamptz[], int[], bigint[], timestamptz[], int[], boolean[], bigint[], text[])';

/**
 * consume_usage()'s statements take arrays, whose length a generic plan cannot know. For small
 * batches Postgres judged the generic plans dearer and planned every statement afresh on every
 * call: a batch of one cost 560 µs of Postgres CPU, 330 µs without the planning. (Batches of 15 or
 * more already used the generic plans.) The function pins index lookups, so the generic plan is
 * the plan it would choose anyway. Measured with sequential calls on one connection.
 */
export class ConsumeUsageGenericPlans1763700000700 implements MigrationInterface {
  name = 'ConsumeUsageGenericPlans1763700000700';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER FUNCTION ${SIGNATURE} SET plan_cache_mode = force_generic_plan`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER FUNCTION ${SIGNATURE} RESET plan_cache_mode`);
  }
}
