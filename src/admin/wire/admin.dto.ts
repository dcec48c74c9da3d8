import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsEmail,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ACCOUNT_PLANS, ACCOUNT_STATUSES, USER_ROLES, type AccountPlan, type AccountStatus, type UserRole } from '#store';

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;
export const USERNAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/;
export const KEY_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CreateAccountDto {
  @ApiProperty({ example: 'acme', pattern: SLUG_PATTERN.source })
  @IsString()
  @Matches(SLUG_PATTERN, { message: 'must match ^[a-z0-9][a-z0-9-]{1,62}$ (lower-case letters, digits, hyphens; 2-63 characters)' })
  slug: string;

  @ApiProperty({ example: 'Acme Corp', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  name: string;

  @ApiPropertyOptional({ enum: ACCOUNT_PLANS, default: 'basic' })
  @IsOptional()
  @IsIn(ACCOUNT_PLANS)
  plan?: AccountPlan;
}

export class UpdateAccountDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ enum: ACCOUNT_PLANS })
  @IsOptional()
  @IsIn(ACCOUNT_PLANS)
  plan?: AccountPlan;

  @ApiPropertyOptional({ enum: ACCOUNT_STATUSES })
  @IsOptional()
  @IsIn(ACCOUNT_STATUSES)
  status?: AccountStatus;

  @ApiPropertyOptional({
    description: 'Per-protocol options, merged field by field; null resets a field to its default.',
    example: { plansync: { requests_per_minute: 120 } },
  })
  @IsOptional()
  @IsObject()
  settings?: Record<string, unknown>;
}

export class CreateUserDto {
  @ApiProperty({ example: 'alice', pattern: USERNAME_PATTERN.source })
  @IsString()
  @Matches(USERNAME_PATTERN, { message: 'must be 2-64 letters, digits, dots, hyphens or underscores' })
  username: string;

  @ApiProperty({ example: 'alice@example.com' })
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an e-mail address' })
  email: string;

  @ApiProperty({ enum: USER_ROLES })
  @IsIn(USER_ROLES)
  role: UserRole;

  @ApiPropertyOptional({ minLength: 12, description: 'Stored as argon2id; never returned.' })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ type: [String], example: ['Acme'] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  assigned_clients?: string[];
}

export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail({}, { message: 'must be an e-mail address' })
  email?: string;

  @ApiPropertyOptional({ enum: USER_ROLES })
  @IsOptional()
  @IsIn(USER_ROLES)
  role?: UserRole;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  assigned_clients?: string[];

  @ApiPropertyOptional({ minLength: 12, example: 'correct-horse-battery' })
  @IsOptional()
  @IsString()
  @MinLength(12)
  @MaxLength(1024)
  password?: string;

  @ApiPropertyOptional({ example: false })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class CreateKeyDto {
  @ApiProperty({ example: 'salesforce', pattern: KEY_NAME_PATTERN.source })
  @IsString()
  @Matches(KEY_NAME_PATTERN, { message: 'must be 1-64 letters, digits, dots, hyphens or underscores' })
  name: string;
}
