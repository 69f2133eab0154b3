import { Transactional } from '@nestjs-cls/transactional';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../common/events/audit-trail.js';
import type { VerifiedIdentity } from './auth/jwt-verifier.js';
import type { User } from './entities/user.entity.js';
import { normalizeEmail } from './email-address.js';
import { IdentityError } from './identity.errors.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    private readonly users: UsersRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** Finds the user for a verified token, linking an invited user by email, or creates one. */
  async signIn({ subject, email }: VerifiedIdentity): Promise<User> {
    const existing = await this.users.findBySubject(subject);
    if (existing) return existing;
    const invited = email ? await this.users.claimInvited(subject, email) : null;
    if (invited) return invited;
    const created = await this.users.insertIfAbsent({ subject, email });
    if (created) return created;
    // Lost a race with a concurrent first request of the same subject, or the email is someone else's.
    const raced = await this.users.findBySubject(subject);
    if (raced) return raced;
    throw new IdentityError('email_in_use');
  }

  /** The user known by this email, created (not yet signed in) if there is none. */
  async findOrInvite(email: string): Promise<User> {
    const normalized = normalizeEmail(email);
    const existing = await this.users.findByEmail(normalized);
    if (existing) return existing;
    return (
      (await this.users.insertIfAbsent({ subject: null, email: normalized })) ??
      (await this.users.findByEmail(normalized))!
    );
  }

  @Transactional()
  async makeOperator(email: string): Promise<User> {
    const user = await this.findOrInvite(email);
    await this.users.markOperator(user.id);
    await this.audit.record({
      action: 'operator.granted',
      actor: { type: 'system' },
      target: { type: 'user', id: user.id },
    });
    return { ...user, isOperator: true };
  }
}
