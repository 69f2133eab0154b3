import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { User } from './entities/user.entity.js';

@Injectable()
export class UsersRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get users() {
    return this.txHost.tx.getRepository(User);
  }

  findBySubject(subject: string): Promise<User | null> {
    return this.users.findOneBy({ subject });
  }

  findByEmail(email: string): Promise<User | null> {
    return this.users.createQueryBuilder('u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  /** An invited user (known by email, never signed in) becomes this subject on first sign-in. */
  async claimInvited(subject: string, email: string): Promise<User | null> {
    const result = await this.users
      .createQueryBuilder()
      .update()
      .set({ subject })
      .where('lower(email) = lower(:email) AND subject IS NULL', { email })
      .returning('*')
      .execute();
    return result.affected ? this.findBySubject(subject) : null;
  }

  /** Inserts unless the subject or email already exists; returns null on such a conflict. */
  async insertIfAbsent(values: Pick<User, 'subject' | 'email'> & { isOperator?: boolean }): Promise<User | null> {
    const result = await this.users
      .createQueryBuilder()
      .insert()
      .values({ subject: values.subject, email: values.email, isOperator: values.isOperator ?? false })
      .orIgnore()
      .returning('id')
      .execute();
    const id = result.identifiers[0]?.id as string | undefined;
    return id ? this.users.findOneByOrFail({ id }) : null;
  }

  async markOperator(userId: string): Promise<void> {
    await this.users.update({ id: userId }, { isOperator: true });
  }
}
