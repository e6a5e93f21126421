import { Router, type Request } from 'express';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import { explain, type SettingsService } from './settings.service';

/** pretix switches to the verbose form when `explain` is present at all, whatever its value. */
const wantsExplain = (req: Request) => Object.hasOwn(req.query, 'explain');

/**
 * `…/events/{e}/settings/` (read with plain event access, change with can_change_event_settings) and
 * `…/organizers/{o}/settings/` (can_change_organizer_settings). PUT is 405 on both, as in pretix.
 */
export function settingsRouter(deps: { scopes: Scopes; settings: SettingsService }): Router {
  const { scopes, settings } = deps;
  const router = Router({ strict: true });

  resource(router, '/organizers/:organizer/events/:event/settings/', {
    get: [
      scopes.event(),
      async (req, res) => {
        const values = await settings.forEvent(eventAccessOf(res).event);
        res.json(wantsExplain(req) ? explain(values) : values);
      },
    ],
    patch: [
      scopes.event('can_change_event_settings'),
      async (req, res) => void res.json(await settings.patchEvent(eventAccessOf(res), req.body ?? {})),
    ],
  });

  resource(router, '/organizers/:organizer/settings/', {
    get: [
      scopes.organizer('can_change_organizer_settings'),
      async (req, res) => {
        const values = await settings.forOrganizer(organizerAccessOf(res).organizer.id);
        res.json(wantsExplain(req) ? explain(values) : values);
      },
    ],
    patch: [
      scopes.organizer('can_change_organizer_settings'),
      async (req, res) =>
        void res.json(await settings.patchOrganizer(organizerAccessOf(res), req.body ?? {})),
    ],
  });

  return router;
}
