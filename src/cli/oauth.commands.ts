import { parseOrThrow } from '../shared/validation';
import { applicationInput } from '../modules/oauth/oauth.schemas';
import { requireOption, type CliCommand } from './command';

const oauthAppCreate: CliCommand = {
  name: 'oauth:app:create',
  summary: '--name <name> --redirect-uris "<uri> <uri>" [--public]',
  options: { name: { type: 'string' }, 'redirect-uris': { type: 'string' }, public: { type: 'boolean' } },
  async run(context, options) {
    const input = parseOrThrow(applicationInput(context.config.SITE_URL), {
      name: requireOption(options, 'name'),
      redirect_uris: requireOption(options, 'redirect-uris').split(/\s+/).filter(Boolean),
      client_type: options.public === true ? 'public' : 'confidential',
    });
    // The secret is shown here once; only its hash is stored. A public client (--public) has none.
    const app = await context.oauth.createApplication(input);
    return {
      client_id: app.client_id,
      client_secret: app.client_secret,
      name: app.name,
      redirect_uris: app.redirect_uris,
    };
  },
};

export const oauthCommands: CliCommand[] = [oauthAppCreate];
