import { restRoutes, label, routesOf } from './routes';
import { leakedIn, secretsOf } from './support';
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

  it('logged no password, token, integration key or session id while refusing', () => {
    const sessions = [fixture.user, fixture.admin, fixture.userSignedOut, fixture.userToExpire];
    const secrets = {
      ...secretsOf(fixture.world),
      archivedApiKey: fixture.archivedApiKey,
      expiringApiKey: fixture.expiringApiKey,
      archivedIntegrationKey: fixture.archivedIntegrationKey,
      ...Object.fromEntries(sessions.map((x, i) => [`session ${i}`, sessionIdIn(x.cookie)])),
    };
    expect(leakedIn(fixture.latchkey.logs.text, secrets)).toEqual([]);
  });
});

/** The session id inside a signed express-session cookie value. */
function sessionIdIn(cookie: string): string {
  return /^s:([^.]+)\./.exec(decodeURIComponent(cookie))![1]!;
}
