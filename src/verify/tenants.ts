import type { AccountFixture } from '../server/couch/types.js';
import type { Tenant } from '../scenario/scenario.js';

/** One tenant per account: its first user acts for it. */
export function tenantsFromAccounts(accounts: AccountFixture[]): Tenant[] {
  return accounts
    .filter((account) => account.users.length > 0 && account.databases.length > 0)
    .map((account) => ({
      name: account.name,
      username: account.users[0]!.name,
      password: account.users[0]!.password,
      databases: [...account.databases],
    }));
}
