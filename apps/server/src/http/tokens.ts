/** Bearer tokens: 32 random bytes (base64url, prefixed `pl_`), stored only as their sha256 hash. */
import { createHash, randomBytes } from 'node:crypto';

export function generateToken(): string {
  return `pl_${randomBytes(32).toString('base64url')}`;
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** The token of an `Authorization: Bearer …` header, if well-formed. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}
