import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { eventAccessOf, organizerAccessOf } from '../../http/context';
import { applyOrdering, paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import { apiPrincipal, type Scopes } from '../../http/scope';
import type { Db } from '../../platform/db';
import { NotFound } from '../../shared/errors';
import type { AccessService } from '../access/access.service';
import { metaPropertiesRouter } from '../organizers/meta-properties.routes';
import type { MetaPropertiesService } from '../organizers/meta-properties.service';
import { settingsRouter } from '../settings/settings.routes';
import type { SettingsService } from '../settings/settings.service';
import { applyEventFilters } from './events.filters';
import type { EventRecord, EventsRepository } from './events.repository';
import type { EventRepresentation } from './events.representation';
import type { EventsService } from './events.service';
import { SALES_CHANNELS } from '../../shared/reference-data';

const ORDERING = { date_from: 'events.date_from', slug: 'events.slug' };

/** `with_availability_for` must name a sales channel of the organizer; pretix answers 404 otherwise. */
function availabilityChannel(req: Request): string | undefined {
  const channel = req.query.with_availability_for;
  if (channel === undefined) return undefined;
  if (typeof channel !== 'string' || !SALES_CHANNELS.includes(channel))
    throw new NotFound('No SalesChannel matches the given query.');
  return channel;
}

/** The services behind the events API, built by the composition root (main/api.ts). */
export interface EventsApiServices {
  events: EventsService;
  eventsRepository: EventsRepository;
  represent: EventRepresentation;
  settings: SettingsService;
  metaProperties: MetaPropertiesService;
}

interface EventsApiDeps extends EventsApiServices {
  config: Config;
  db: Db;
  access: AccessService;
  scopes: Scopes;
}

/**
 * The events resource, its settings and the organizer's meta properties (which event meta data refers to), as
 * one router so that the app mounts them with one line.
 */
export function eventsApi(deps: EventsApiDeps): Router {
  const { config, db, access, scopes, events, represent, settings, metaProperties } = deps;
  const repository = deps.eventsRepository;
  const router = Router({ strict: true });

  resource(router, '/organizers/:organizer/events/', {
    get: [
      scopes.organizer(),
      async (req, res) => {
        const organizerAccess = organizerAccessOf(res);
        const availability = availabilityChannel(req) !== undefined;
        const query = db('events')
          .select('events.*')
          .whereIn('events.id', access.accessibleEventIds(organizerAccess));
        applyEventFilters(
          query,
          req.query,
          new Date(),
          await metaProperties.byName(organizerAccess.organizer.id),
          db,
        );
        applyOrdering(query, req.query.ordering, ORDERING, 'slug', '-events.id');
        res.json(
          await paginate<EventRecord, unknown>(req, config.SITE_URL, query, (rows) =>
            represent.many(rows, organizerAccess.organizer, { availability }),
          ),
        );
      },
    ],
    post: [
      scopes.organizer('can_create_events'),
      async (req, res) => {
        const organizerAccess = organizerAccessOf(res);
        // An empty clone_from is no clone, as in pretix (it tests the value for truth).
        const cloneFrom =
          typeof req.query.clone_from === 'string' && req.query.clone_from ? req.query.clone_from : undefined;
        const event = await events.create(organizerAccess, apiPrincipal(req, res), req.body ?? {}, cloneFrom);
        res.status(201).json(await represent.one(event, organizerAccess.organizer));
      },
    ],
  });

  const changeGuard = scopes.event({ write: 'can_change_event_settings' });
  const detail = async (res: Response, event?: EventRecord) => {
    const eventAccess = eventAccessOf(res);
    const row = event ?? (await repository.byId(eventAccess.event.id));
    res.json(await represent.one(row, eventAccess.organizer, { validKeys: true }));
  };
  resource(router, '/organizers/:organizer/events/:event/', {
    get: [changeGuard, async (_req, res) => detail(res)],
    patch: [
      changeGuard,
      async (req, res) => detail(res, await events.update(eventAccessOf(res), req.body ?? {}, 'patch')),
    ],
    put: [
      changeGuard,
      async (req, res) => detail(res, await events.update(eventAccessOf(res), req.body ?? {}, 'put')),
    ],
    delete: [
      changeGuard,
      async (_req, res) => {
        await events.delete(eventAccessOf(res));
        res.status(204).end();
      },
    ],
  });

  resource(router, '/organizers/:organizer/events/:event/clone/', {
    docs: { tag: 'events', post: { summary: 'Clone an event' } },
    post: [
      scopes.event('can_change_event_settings'),
      async (req, res) => {
        const eventAccess = eventAccessOf(res);
        const event = await events.cloneEndpoint(eventAccess, apiPrincipal(req, res), req.body ?? {});
        res.status(201).json(await represent.one(event, eventAccess.organizer, { validKeys: true }));
      },
    ],
  });

  router.use(settingsRouter({ scopes, settings }));
  router.use(metaPropertiesRouter({ config, scopes, metaProperties }));
  return router;
}
