import { Router, type Request, type Response } from 'express';
import type { Config } from '../../config';
import { organizerAccessOf } from '../../http/context';
import { paginate } from '../../http/pagination';
import { resource } from '../../http/routes';
import type { Scopes } from '../../http/scope';
import { parseOrThrow } from '../../shared/validation';
import { memberResource, tokenResource, type TeamsService } from './teams.service';
import { TeamInput, TeamPatch, TokenInput } from './teams.schemas';
import { idParam } from '../../http/params';
import type { MemberRow, TeamRow, TokenRow } from './teams.repository';

/** Teams API as pretix documents it; every endpoint, reads included, needs can_change_teams. */
export function teamsRouter(deps: { config: Config; scopes: Scopes; teams: TeamsService }): Router {
  const { teams, config } = deps;
  const router = Router({ strict: true });
  const guard = deps.scopes.organizer('can_change_teams');
  const organizerId = (res: Response) => organizerAccessOf(res).organizer.id;
  /** Resolves :team within the caller's organizer, so members and tokens of foreign teams are 404. */
  const teamOf = async (req: Request, res: Response) =>
    (await teams.get(organizerId(res), idParam(req, 'team'))).id;

  resource(router, '/organizers/:organizer/teams/', {
    docs: { get: { summary: 'List teams' }, post: { summary: 'Create a team', body: TeamInput } },
    get: [
      guard,
      async (req, res) => {
        const query = teams.listQuery(organizerId(res)).orderBy('id');
        res.json(
          await paginate<TeamRow, unknown>(req, config.SITE_URL, query, (rows) => teams.toResources(rows)),
        );
      },
    ],
    post: [
      guard,
      async (req, res) => {
        res.status(201).json(await teams.create(organizerId(res), parseOrThrow(TeamInput, req.body ?? {})));
      },
    ],
  });

  resource(router, '/organizers/:organizer/teams/:team/', {
    docs: {
      get: { summary: 'Show a team' },
      patch: { summary: 'Change some fields of a team', body: TeamPatch },
      put: { summary: 'Replace a team', body: TeamInput },
      delete: { summary: 'Delete a team' },
    },
    get: [guard, async (req, res) => void res.json(await teams.get(organizerId(res), idParam(req, 'team')))],
    patch: [
      guard,
      async (req, res) => {
        const changes = parseOrThrow(TeamPatch, req.body ?? {});
        res.json(await teams.update(organizerId(res), idParam(req, 'team'), changes));
      },
    ],
    put: [
      guard,
      async (req, res) => {
        const replacement = parseOrThrow(TeamInput, req.body ?? {});
        res.json(await teams.update(organizerId(res), idParam(req, 'team'), replacement));
      },
    ],
    delete: [
      guard,
      async (req, res) => {
        await teams.delete(organizerId(res), idParam(req, 'team'));
        res.status(204).end();
      },
    ],
  });

  resource(router, '/organizers/:organizer/teams/:team/members/', {
    get: [
      guard,
      async (req, res) => {
        const query = teams.membersQuery(await teamOf(req, res));
        res.json(
          await paginate<MemberRow, unknown>(req, config.SITE_URL, query, (rows) => rows.map(memberResource)),
        );
      },
    ],
  });

  resource(router, '/organizers/:organizer/teams/:team/members/:member/', {
    get: [
      guard,
      async (req, res) =>
        void res.json(memberResource(await teams.member(await teamOf(req, res), idParam(req, 'member')))),
    ],
    delete: [
      guard,
      async (req, res) => {
        await teams.removeMember(await teamOf(req, res), idParam(req, 'member'));
        res.status(204).end();
      },
    ],
  });

  resource(router, '/organizers/:organizer/teams/:team/tokens/', {
    docs: {
      get: { summary: "List a team's API tokens" },
      post: { summary: 'Create an API token (its secret is shown once)', body: TokenInput },
    },
    get: [
      guard,
      async (req, res) => {
        const query = teams.tokensQuery(await teamOf(req, res));
        res.json(
          await paginate<TokenRow, unknown>(req, config.SITE_URL, query, (rows) => rows.map(tokenResource)),
        );
      },
    ],
    post: [
      guard,
      async (req, res) => {
        const teamId = await teamOf(req, res);
        const { name } = parseOrThrow(TokenInput, req.body ?? {});
        const created = await teams.createToken(teamId, name);
        res.status(201).json({ ...tokenResource(created), token: created.token });
      },
    ],
  });

  resource(router, '/organizers/:organizer/teams/:team/tokens/:token/', {
    docs: { delete: { summary: 'Deactivate an API token', status: 200 } },
    get: [
      guard,
      async (req, res) =>
        void res.json(tokenResource(await teams.token(await teamOf(req, res), idParam(req, 'token')))),
    ],
    delete: [
      guard,
      async (req, res) => {
        const row = await teams.deactivateToken(await teamOf(req, res), idParam(req, 'token'));
        res.status(200).json(tokenResource(row));
      },
    ],
  });

  return router;
}
