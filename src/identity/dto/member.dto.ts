import { Transform } from 'class-transformer';
import { IsEmail, IsIn, IsString, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../entities/role.js';

export class AddMemberDto {
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim().toLowerCase() : value))
  @IsString()
  @MaxLength(320)
  @IsEmail()
  email: string;

  @IsIn(ROLES)
  role: Role;
}

export class ChangeMemberRoleDto {
  @IsIn(ROLES)
  role: Role;
}
