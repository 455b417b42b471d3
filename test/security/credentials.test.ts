import { restRoutes, label, routesOf } from './routes';
import {
  ANSWERS,
  areaOf,
  credentialFixture,
  PUBLIC_ROUTES,
  stampCredentialChecks,
  type Area,
  type CredentialFixture,
} from './stamp';

describe('the same credential checks on every protected route', () => {
  let fixture: CredentialFixture;
  beforeAll(async () => {
    fixture = await credentialFixture();
  });
  afterAll(() => fixture.latchkey.close());

  it('finds every route by walking the routers, and only the listed ones are public', () => {
    const routes = routesOf(fixture.app);
    const found = routes.map(label);
    for (const open of PUBLIC_ROUTES) expect(found).toContain(open);
    const byArea = (area: Area) => routes.filter((r) => areaOf(r) === area).map(label);
    // The backend API's routes as its route table lists them: none escapes the walk.
    expect(byArea('backend api').sort()).toEqual(restRoutes().map(label).sort());
    expect(byArea('api key')).toEqual(['POST /api/whoami']);
    expect(byArea('hosted pages').length).toBeGreaterThanOrEqual(10);
    expect(byArea('admin').length).toBeGreaterThanOrEqual(30);
    expect(Object.keys(ANSWERS).sort()).toEqual(
      ['admin', 'api key', 'backend api', 'hosted pages'].sort(),
    );
  });

  for (const area of ['api key', 'backend api', 'hosted pages', 'admin'] as const) {
    describe(area, () => stampCredentialChecks(area, () => fixture));
  }
});
