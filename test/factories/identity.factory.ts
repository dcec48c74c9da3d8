import { type INestApplicationContext } from '@nestjs/common';
import { AccountsService, ApiKeysService, UsersService } from '#identity';
import { unique } from './admin.factory.js';

export interface SeededUser {
  slug: string;
  username: string;
  email: string;
  key: string;
  keyName: string;
}

/** A fresh account, user and key through the shared services (the integration tier has no HTTP). */
export async function seedUserWithKey(
  ctx: INestApplicationContext,
  options: { password?: string; plan?: 'free' | 'basic' | 'pro' | 'premium' } = {},
): Promise<SeededUser> {
  const slug = unique('acct');
  const username = unique('user');
  const email = `${username}@example.com`;
  await ctx.get(AccountsService).create({ slug, name: slug, plan: options.plan ?? 'pro' });
  await ctx.get(UsersService).create(slug, { username, email, role: 'advisor', assignedClients: ['Acme'], password: options.password });
  const keyName = 'k1';
  const key = (await ctx.get(ApiKeysService).create(slug, username, keyName)).key;
  return { slug, username, email, key, keyName };
}
