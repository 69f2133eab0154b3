import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES, type Role } from '../entities/role.js';

/** The key's tenant and env come from the request's credentials, never from this body. */
export class CreateApiKeyDto {
  @ApiProperty({ minLength: 1, maxLength: 100, example: 'ci pipeline' })
  @IsString()
  @Length(1, 100)
  name: string;

  /** Defaults to member; never above the creator's own role. */
  @ApiPropertyOptional({ enum: ROLES, default: 'member' })
  @IsOptional()
  @IsIn(ROLES)
  role?: Role;
}
