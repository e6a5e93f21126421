import { deletePageSessionsOfUser } from '../modules/oauth/oauth.repository';
import { deactivateUser, setPassword } from '../modules/users/users.service';
import { requireOption, type CliCommand } from './command';

const userSetPassword: CliCommand = {
  name: 'user:set-password',
  summary: '--email <email> --password <pw>',
  options: { email: { type: 'string' }, password: { type: 'string' } },
  async run(context, options) {
    const user = await setPassword(
      context.db,
      requireOption(options, 'email'),
      requireOption(options, 'password'),
    );
    // Logins on the authorize pages end with the old password; issued API tokens stay valid, as in pretix.
    await deletePageSessionsOfUser(context.db, user.id);
    return { id: user.id, email: user.email };
  },
};

const userDeactivate: CliCommand = {
  name: 'user:deactivate',
  summary: '--email <email>',
  options: { email: { type: 'string' } },
  async run(context, options) {
    const user = await deactivateUser(context.db, requireOption(options, 'email'));
    return { id: user.id, email: user.email, is_active: user.is_active };
  },
};

export const userCommands: CliCommand[] = [userSetPassword, userDeactivate];
