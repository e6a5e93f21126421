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
export const USER_COLUMNS = ['id', 'email', 'fullname', 'locale', 'timezone', 'is_active', 'is_staff'];

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw ValidationError.field(
      'password',
      `This password is too short. It must contain at least ${MIN_PASSWORD_LENGTH} characters.`,
    );
  }
}

export async function createUser(
  db: Db,
  input: { email: string; password: string; fullname?: string },
): Promise<UserRow> {
  if (!EMAIL.test(input.email)) throw ValidationError.field('email', 'Enter a valid email address.');
  checkPassword(input.password);
  try {
    const [row] = await db('users')
      .insert({
        email: input.email,
        password_hash: await hashPassword(input.password),
        fullname: input.fullname ?? '',
      })
      .returning(USER_COLUMNS);
    return row as UserRow;
  } catch (error) {
    if (isUniqueViolation(error))
      throw ValidationError.field('email', 'A user with this email address already exists.');
    throw error;
  }
}

export async function findUser(db: Db, id: number): Promise<UserRow | undefined> {
  return db('users').where('id', id).first(USER_COLUMNS);
}

async function findUserByEmail(db: Db, email: string): Promise<UserRow> {
  const user: UserRow | undefined = await db('users')
    .whereRaw('lower(email) = lower(?)', [email])
    .first(USER_COLUMNS);
  if (!user) throw ValidationError.field('email', 'No user with this email address exists.');
  return user;
}

export async function setPassword(db: Db, email: string, password: string): Promise<UserRow> {
  checkPassword(password);
  const user = await findUserByEmail(db, email);
  await db('users')
    .where('id', user.id)
    .update({ password_hash: await hashPassword(password) });
  return user;
}

/**
 * Deactivates a user. Every OAuth token and login session checks users.is_active on each use, so they all stop
 * working with this update; nothing else needs revoking.
 */
export async function deactivateUser(db: Db, email: string): Promise<UserRow> {
  const user = await findUserByEmail(db, email);
  await db('users').where('id', user.id).update({ is_active: false });
  return { ...user, is_active: false };
}

/** Email addresses of the given users, by id (for representations that name a user, e.g. an owner). */
export async function emailsOf(db: Db, ids: readonly number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows: { id: number; email: string }[] = await db('users')
    .whereIn('id', [...new Set(ids)])
    .select('id', 'email');
  return new Map(rows.map((row) => [Number(row.id), row.email]));
}
