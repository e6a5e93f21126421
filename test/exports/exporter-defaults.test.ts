import request from 'supertest';
import type { TestContext } from '../support/app';
import { makeEvent, makeOrganizer, makeTeamWithToken } from '../support/factories';
import { createExportsContext } from './support';

/**
 * What the exporter list shows is what a run does: a required input shows no default (it must be sent), and
 * every default that is shown is the value a run without that input is stored with. Checked for every exporter
 * the list offers, at both levels, so a new exporter is covered when it is registered.
 */
interface InputParameter {
  name: string;
  required: boolean;
  choices?: string[];
  type: string;
  default: unknown;
}
interface ListedExporter {
  identifier: string;
  input_parameters: InputParameter[];
}

let ctx: TestContext;
let organizer: { id: number; slug: string };
let event: { id: number; slug: string };
let authorization: string;
let checkinListId: number;

beforeAll(async () => {
  // No worker: the runs wait in the queue, which is all this test needs (their stored input).
  ctx = createExportsContext({ EXPORT_MAX_ACTIVE_PER_CLIENT: '100' });
  organizer = await makeOrganizer(ctx.runtime.db);
  event = await makeEvent(ctx.runtime.db, organizer.id);
  ({ authorization } = await makeTeamWithToken(ctx.runtime.db, organizer.id, { permissions: 'all' }));
  const list = await request(ctx.app)
    .post(`/api/v1/organizers/${organizer.slug}/events/${event.slug}/checkinlists/`)
    .set('Authorization', authorization)
    .send({ name: 'Entrance', all_products: true })
    .expect(201);
  checkinListId = list.body.id as number;
});
afterAll(() => ctx.close());

/** The smallest body a client can send: a value for each required input only. */
function requiredOnly(exporter: ListedExporter): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const input of exporter.input_parameters.filter((p) => p.required)) {
    if (input.type === 'model_choice') body[input.name] = checkinListId;
    else if (input.type === 'multiple_choice') body[input.name] = [input.choices![0]];
    else if (input.type === 'choice') body[input.name] = input.choices![0];
    else throw new Error(`no value for required ${input.type} ${exporter.identifier}.${input.name}`);
  }
  return body;
}

describe.each([
  ['event', () => `/api/v1/organizers/${organizer.slug}/events/${event.slug}/exporters/`],
  ['organizer', () => `/api/v1/organizers/${organizer.slug}/exporters/`],
])('%s-level exporters', (_level, base) => {
  let exporters: ListedExporter[];
  beforeAll(async () => {
    const res = await request(ctx.app).get(base()).set('Authorization', authorization).expect(200);
    exporters = res.body.results as ListedExporter[];
    expect(exporters.length).toBeGreaterThan(0);
  });

  test('a required input shows no default', () => {
    const shown = exporters.flatMap((e) =>
      e.input_parameters.filter((p) => p.required).map((p) => [`${e.identifier}.${p.name}`, p.default]),
    );
    expect(shown).toEqual(shown.map(([name]) => [name, null]));
  });

  test('a run without an optional input is stored with the default the list shows', async () => {
    for (const exporter of exporters) {
      const body = requiredOnly(exporter);
      const res = await request(ctx.app)
        .post(`${base()}${exporter.identifier}/run/`)
        .set('Authorization', authorization)
        .send(body);
      expect([exporter.identifier, res.status]).toEqual([exporter.identifier, 202]);
      const exportId = (res.body.download as string).split('/').filter(Boolean).pop();
      const row = await ctx.runtime.db('exports').where('id', exportId).first('input');
      const stored = row.input as Record<string, unknown>;
      for (const input of exporter.input_parameters) {
        const name = `${exporter.identifier}.${input.name}`;
        const expected = input.required ? body[input.name] : input.default;
        expect([name, stored[input.name]]).toEqual([name, expected]);
      }
    }
  });
});
