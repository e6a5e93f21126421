import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { organizerAccessOf } from '../../http/context';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import { parseOrThrow } from '../../shared/validation';
import { MetaPropertyInput, MetaPropertyPatch } from './meta-properties.schemas';
import { idParam } from '../../http/params';
import {
  metaPropertyResource,
  type MetaPropertiesService,
  type MetaPropertyRow,
} from './meta-properties.service';

const propertyId = (req: Request) =>
  idParam(req, 'property', 'No EventMetaProperty matches the given query.');

/** `/organizers/{o}/meta_properties/`: readable with organizer access, changed with can_change_organizer_settings. */
export function metaPropertiesRouter(deps: {
  config: Config;
  scopes: Scopes;
  metaProperties: MetaPropertiesService;
}): Router {
  const { metaProperties } = deps;
  const router = Router({ strict: true });
  const guard = deps.scopes.organizer({ write: 'can_change_organizer_settings' });
  const organizerId = (res: Response) => organizerAccessOf(res).organizer.id;

  resource(router, '/organizers/:organizer/meta_properties/', {
    docs: { post: { summary: 'Create a meta property', body: MetaPropertyInput } },
    get: [
      guard,
      async (req, res) => {
        const query = metaProperties.listQuery(organizerId(res));
        res.json(
          await paginate<MetaPropertyRow, unknown>(req, deps.config.SITE_URL, query, (rows) =>
            rows.map(metaPropertyResource),
          ),
        );
      },
    ],
    post: [
      guard,
      async (req, res) => {
        const input = parseOrThrow(MetaPropertyInput, req.body ?? {});
        res.status(201).json(metaPropertyResource(await metaProperties.create(organizerId(res), input)));
      },
    ],
  });

  resource(router, '/organizers/:organizer/meta_properties/:property/', {
    docs: {
      patch: { summary: 'Change some fields of a meta property', body: MetaPropertyPatch },
      put: { summary: 'Replace a meta property', body: MetaPropertyInput },
    },
    get: [
      guard,
      async (req, res) =>
        void res.json(metaPropertyResource(await metaProperties.get(organizerId(res), propertyId(req)))),
    ],
    patch: [
      guard,
      async (req, res) => {
        const changes = parseOrThrow(MetaPropertyPatch, req.body ?? {});
        res.json(
          metaPropertyResource(await metaProperties.update(organizerId(res), propertyId(req), changes)),
        );
      },
    ],
    put: [
      guard,
      async (req, res) => {
        const replacement = parseOrThrow(MetaPropertyInput, req.body ?? {});
        res.json(
          metaPropertyResource(await metaProperties.update(organizerId(res), propertyId(req), replacement)),
        );
      },
    ],
    delete: [
      guard,
      async (req, res) => {
        await metaProperties.delete(organizerId(res), propertyId(req));
        res.status(204).end();
      },
    ],
  });

  return router;
}
