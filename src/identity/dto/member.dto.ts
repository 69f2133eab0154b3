import { Transform } from 'class-transformer';
import { ApiProperty } from '@nestjs/swagger';
import { IsEmail, IsIn, IsString, MaxLength } from 'class-validator';
import { normalizeEmail } from '../email-address.js';
import { ROLES, type Role } from '../entities/role.js';

export class AddMemberDto {
  @ApiProperty({ format: 'email', maxLength: 320 })
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? normalizeEmail(value.trim()) : value))
  @IsString()
  @MaxLength(320)
  @IsEmail()
  email: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}

export class ChangeMemberRoleDto {
  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role: Role;
}
