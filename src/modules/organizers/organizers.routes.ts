import { Router } from 'express';
import type { Config } from '../../config';
import { organizerAccessOf } from '../../http/context';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import type { AccessService, OrganizerRow } from '../access/access.service';

export function organizerResource(config: Config, organizer: OrganizerRow) {
  return { name: organizer.name, slug: organizer.slug, public_url: `${config.SITE_URL}/${organizer.slug}/` };
}

export function organizersRouter(deps: { config: Config; access: AccessService; scopes: Scopes }): Router {
  const router = Router({ strict: true });
  resource(router, '/organizers/', {
    get: async (req, res) => {
      const query = deps.access.visibleOrganizers(apiPrincipal(req, res)).orderBy('slug');
      res.json(
        await paginate<OrganizerRow, unknown>(req, deps.config.SITE_URL, query, (rows) =>
          rows.map((row) => organizerResource(deps.config, row)),
        ),
      );
    },
  });
  resource(router, '/organizers/:organizer/', {
    get: [
      deps.scopes.organizer(),
      (_req, res) => {
        res.json(organizerResource(deps.config, organizerAccessOf(res).organizer));
      },
    ],
  });
  return router;
}
