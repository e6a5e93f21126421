import type { Db } from '../../platform/db';
import { isUniqueViolation } from '../../platform/db';
import { ValidationError } from '../../shared/errors';
import { hashPassword } from '../../shared/passwords';

export interface UserRow {
  id: number;
  email: string;
  fullname: string;
  locale: string;
  timezone: string;
  is_active: boolean;
  is_staff: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const MIN_PASSWORD_LENGTH = 8;

export async function createUser(
  db: Db,
  input: { email: string; password: string; fullname?: string },
): Promise<UserRow> {
  if (!EMAIL.test(input.email)) throw ValidationError.field('email', 'Enter a valid email address.');
  if (input.password.length < MIN_PASSWORD_LENGTH) {
    throw ValidationError.field(
      'password',
      `This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
  try {
    const [row] = await db('users')
      .insert({
        email: input.email,
        password_hash: await hashPassword(input.password),
        fullname: input.fullname ?? '',
      })
      .returning(['id', 'email', 'fullname', 'locale', 'timezone', 'is_active', 'is_staff']);
    return row as UserRow;
  } catch (error) {
    if (isUniqueViolation(error))
      throw ValidationError.field('email', 'A user with this email address already exists.');
    throw error;
  }
}
