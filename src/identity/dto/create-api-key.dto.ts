import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES, type Role } from '../entities/role.js';

/** The key's tenant and env come from the request's credentials, never from this body. */
export class CreateApiKeyDto {
  @IsString()
  @Length(1, 100)
  name: string;

  /** Defaults to member; never above the creator's own role. */
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}
