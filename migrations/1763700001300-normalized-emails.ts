import type { MigrationInterface, QueryRunner } from 'typeorm';

/** As src/identity/email-address.ts is today; a migration keeps its own copy, so it means the same forever. */
const normalize = (email: string) => email.normalize('NFKC').toLowerCase().normalize('NFKC');
const isLookAlike = (email: string) => email.normalize('NFKC') !== email;

interface UserRow {
  id: string;
  subject: string | null;
  email: string;
}

/**
 * Emails were stored lower-cased only; they are now stored in NFKC, then lower case, and a
 * look-alike address verified by an identity provider no longer counts as an address (see
 * docs/decisions.md, "Email addresses"). Rows already in that form (every ASCII address) are left
 * alone. For the others:
 * - a signed-in user keeps their account (found by `subject`) but loses the look-alike email, so it
 *   can claim nothing;
 * - an invitation (no subject yet) takes the normalised address, or, if a user already has that
 *   address, its memberships move to that user (where they are not members already) and the
 *   duplicate invitation goes: an owner inviting the same address today reaches that user too.
 * Not reversible: `down` leaves the emails as they are (both forms compare equal to the old code).
 */
export class NormalizedEmails1763700001300 implements MigrationInterface {
  name = 'NormalizedEmails1763700001300';

  async up(db: QueryRunner): Promise<void> {
    // Only non-ASCII addresses can change; the regular expression keeps the scan to those.
    const rows = (await db.query(
      `SELECT id, subject, email FROM users WHERE email IS NOT NULL AND email ~ '[^\\x01-\\x7f]' ORDER BY created_at, id`,
    )) as UserRow[];
    for (const row of rows) {
      const normalized = normalize(row.email);
      if (normalized === row.email) continue;
      if (row.subject !== null && isLookAlike(row.email)) {
        await db.query('UPDATE users SET email = NULL WHERE id = $1', [row.id]);
        continue;
      }
      const [holder] = (await db.query('SELECT id FROM users WHERE lower(email) = lower($1) AND id <> $2', [
        normalized,
        row.id,
      ])) as { id: string }[];
      if (!holder) {
        await db.query('UPDATE users SET email = $1 WHERE id = $2', [normalized, row.id]);
      } else if (row.subject === null) {
        await db.query(
          `INSERT INTO memberships (tenant_id, user_id, role, created_at)
             SELECT tenant_id, $1, role, created_at FROM memberships WHERE user_id = $2
           ON CONFLICT (tenant_id, user_id) DO NOTHING`,
          [holder.id, row.id],
        );
        await db.query('DELETE FROM users WHERE id = $1', [row.id]);
      } else {
        // A signed-in user whose address, once normalised, is someone else's: the account stays by subject.
        await db.query('UPDATE users SET email = NULL WHERE id = $1', [row.id]);
      }
    }
  }

  async down(): Promise<void> {}
}
