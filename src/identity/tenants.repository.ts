import { TransactionHost } from '@nestjs-cls/transactional';
import type { TransactionalAdapterTypeOrm } from '@nestjs-cls/transactional-adapter-typeorm';
import { Injectable } from '@nestjs/common';
import { Tenant } from './entities/tenant.entity.js';

@Injectable()
export class TenantsRepository {
  constructor(private readonly txHost: TransactionHost<TransactionalAdapterTypeOrm>) {}

  private get tenants() {
    return this.txHost.tx.getRepository(Tenant);
  }

  create(name: string): Promise<Tenant> {
    return this.tenants.save(this.tenants.create({ name }));
  }

  findById(tenantId: string): Promise<Tenant | null> {
    return this.tenants.findOneBy({ id: tenantId });
  }
}
