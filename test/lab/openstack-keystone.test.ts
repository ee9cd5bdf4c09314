import test from 'ava';
import { parse } from 'yaml';
import { labFor } from './helpers.js';
import { openstackBase, osCall, osToken, passwordAuth } from './openstack-helpers.js';

interface TokenBody {
  token: {
    methods: string[];
    expires_at: string;
    issued_at: string;
    user: { id: string; name: string; domain: { id: string; name: string } };
    project?: { id: string; name: string; domain: { id: string } };
    roles?: { name: string }[];
    catalog?: { type: string; name: string; id: string; endpoints: { interface: string; region: string; region_id: string; url: string; id: string }[] }[];
    application_credential?: { id: string; name: string; restricted: boolean };
  };
}

interface CloudsYaml {
  clouds: Record<string, { auth_type: string; auth: Record<string, string>; region_name: string; interface: string }>;
}

test('version discovery answers at /identity (300, a list) and /identity/v3 (200, v3 with its self link)', async (t) => {
  const lab = await labFor(t);
  const root = await osCall<{ versions: { values: { id: string; status: string }[] } }>(lab, '/identity');
  t.is(root.status, 300);
  t.like(root.body.versions.values[0], { id: 'v3.14', status: 'stable' });
  const v3 = await osCall<{ version: { id: string; links: { rel: string; href: string }[] } }>(lab, '/identity/v3');
  t.is(v3.status, 200);
  t.deepEqual(v3.body.version.links, [{ rel: 'self', href: `${lab.endpoints.openstack}/` }]);
  t.regex(lab.endpoints.openstack, /^http:\/\/127\.0\.0\.1:\d+\/identity\/v3$/);
});

test('password auth by name and domain gives a project-scoped token with roles and an hour of life', async (t) => {
  const lab = await labFor(t);
  const before = Date.now();
  const answer = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', { method: 'POST', json: passwordAuth() });
  t.is(answer.status, 201);
  t.truthy(answer.headers.get('x-subject-token'));
  const { token } = answer.body;
  t.deepEqual(token.methods, ['password']);
  t.like(token.user, { name: 'gameday', domain: { id: 'default', name: 'Default' } });
  t.like(token.project, { name: 'jupytercloud', domain: { id: 'default' } });
  t.deepEqual(token.roles?.map((r) => r.name).sort(), ['member', 'reader']);
  const lifetime = Date.parse(token.expires_at) - before;
  t.true(lifetime > 3_590_000 && lifetime < 3_610_000, `expires in ${lifetime} ms`);
  t.regex(token.expires_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('password auth by user id and project id works too', async (t) => {
  const lab = await labFor(t);
  const { user, project } = lab.world.keystone;
  const answer = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['password'], password: { user: { id: user.id, password: 'lab-password' } } }, scope: { project: { id: project.id } } } },
  });
  t.is(answer.status, 201);
  t.is(answer.body.token.project?.id, project.id);
});

test('the catalog lists compute, network, identity and image with public/internal/admin endpoints in RegionOne', async (t) => {
  const lab = await labFor(t);
  const answer = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', { method: 'POST', json: passwordAuth() });
  const catalog = answer.body.token.catalog ?? [];
  const base = openstackBase(lab);
  t.deepEqual(Object.fromEntries(catalog.map((s) => [s.type, s.endpoints[0]?.url])), {
    identity: `${base}/identity`,
    compute: `${base}/compute/v2.1`,
    network: `${base}/network`,
    image: `${base}/image`,
  });
  for (const service of catalog) {
    t.regex(service.id, /^[0-9a-f]{32}$/);
    t.deepEqual(service.endpoints.map((e) => e.interface), ['public', 'internal', 'admin']);
    t.true(service.endpoints.every((e) => e.region === 'RegionOne' && e.region_id === 'RegionOne' && /^[0-9a-f]{32}$/.test(e.id)));
  }
  const nocatalog = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens?nocatalog', { method: 'POST', json: passwordAuth() });
  t.is(nocatalog.body.token.catalog, undefined);
});

test('an unscoped password token has no project and no catalog', async (t) => {
  const lab = await labFor(t);
  const answer = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['password'], password: { user: { name: 'gameday', domain: { id: 'default' }, password: 'lab-password' } } } } },
  });
  t.is(answer.status, 201);
  t.is(answer.body.token.project, undefined);
  t.is(answer.body.token.catalog, undefined);
});

test('application credentials authenticate by id + secret and by name + secret + user', async (t) => {
  const lab = await labFor(t);
  const { appCredential, user } = lab.world.keystone;
  const byId = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['application_credential'], application_credential: { id: appCredential.id, secret: 'lab-appcred-secret' } } } },
  });
  t.is(byId.status, 201);
  t.deepEqual(byId.body.token.methods, ['application_credential']);
  t.like(byId.body.token.application_credential, { id: appCredential.id, name: 'gameday-lab', restricted: true });
  t.is(byId.body.token.project?.name, 'jupytercloud');
  t.true((byId.body.token.catalog ?? []).length === 4);
  const byName = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['application_credential'], application_credential: { name: 'gameday-lab', secret: 'lab-appcred-secret', user: { id: user.id } } } } },
  });
  t.is(byName.status, 201);
  const wrong = await osCall(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['application_credential'], application_credential: { id: appCredential.id, secret: 'nope' } } } },
  });
  t.is(wrong.status, 401);
});

test('wrong credentials get Keystone\'s 401 body, malformed requests a 400', async (t) => {
  const lab = await labFor(t);
  const wrong = await osCall(lab, '/identity/v3/auth/tokens', { method: 'POST', json: passwordAuth('guess') });
  t.is(wrong.status, 401);
  t.deepEqual(wrong.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
  t.is(wrong.headers.get('x-subject-token'), null);
  const otherProject = await osCall(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: { auth: { identity: { methods: ['password'], password: { user: { name: 'gameday', domain: { name: 'Default' }, password: 'lab-password' } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } },
  });
  t.is(otherProject.status, 401);
  const malformed = await osCall<{ error: { code: number; title: string } }>(lab, '/identity/v3/auth/tokens', { method: 'POST', json: { nothing: true } });
  t.is(malformed.status, 400);
  t.like(malformed.body.error, { code: 400, title: 'Bad Request' });
  const notJson = await osCall(lab, '/identity/v3/auth/tokens', { method: 'POST', body: '{', headers: { 'content-type': 'application/json' } });
  t.is(notJson.status, 400);
});

test('tokens validate with X-Subject-Token, and a revoked token is rejected everywhere', async (t) => {
  const lab = await labFor(t);
  const token = await osToken(lab);
  const valid = await osCall<TokenBody>(lab, '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': token } });
  t.is(valid.status, 200);
  t.is(valid.headers.get('x-subject-token'), token);
  t.is(valid.body.token.project?.name, 'jupytercloud');
  const unknown = await osCall(lab, '/identity/v3/auth/tokens', { token, headers: { 'x-subject-token': 'gAAAAAnope' } });
  t.is(unknown.status, 404);
  const other = await osToken(lab);
  t.is((await osCall(lab, '/identity/v3/auth/tokens', { method: 'DELETE', token: other, headers: { 'x-subject-token': token } })).status, 204);
  t.is((await osCall(lab, '/compute/v2.1/servers', { token })).status, 401);
  t.is((await osCall(lab, '/compute/v2.1/servers', { token: other })).status, 200);
});

test('every other API wants a valid X-Auth-Token: 401 with Keystone\'s body and WWW-Authenticate', async (t) => {
  const lab = await labFor(t);
  for (const path of ['/compute/v2.1/servers', '/network/v2.0/ports', '/image/v2/images', '/identity/v3/auth/catalog']) {
    for (const token of [undefined, 'gAAAAAforged']) {
      const answer = await osCall(lab, path, token ? { token } : {});
      t.is(answer.status, 401, `${path} with ${token ?? 'no token'}`);
      t.deepEqual(answer.body, { error: { code: 401, title: 'Unauthorized', message: 'The request you have made requires authentication.' } });
      t.is(answer.headers.get('www-authenticate'), `Keystone uri="${openstackBase(lab)}/identity"`);
    }
  }
  const token = await osToken(lab);
  const catalog = await osCall<{ catalog: unknown[] }>(lab, '/identity/v3/auth/catalog', { token });
  t.is(catalog.status, 200);
  t.is(catalog.body.catalog.length, 4);
});

test('cloudsYaml() describes both clouds with credentials the lab accepts', async (t) => {
  const lab = await labFor(t);
  const { clouds } = parse(lab.cloudsYaml()) as CloudsYaml;
  const password = clouds['gameday-lab'];
  const appcred = clouds['gameday-lab-appcred'];
  t.like(password, {
    auth_type: 'password',
    region_name: 'RegionOne',
    interface: 'public',
    auth: { auth_url: lab.endpoints.openstack, username: 'gameday', password: 'lab-password', project_name: 'jupytercloud', user_domain_name: 'Default', project_domain_name: 'Default' },
  });
  t.like(appcred, { auth_type: 'v3applicationcredential', region_name: 'RegionOne', interface: 'public', auth: { auth_url: lab.endpoints.openstack } });
  const answer = await osCall(lab, '/identity/v3/auth/tokens', {
    method: 'POST',
    json: {
      auth: {
        identity: {
          methods: ['application_credential'],
          application_credential: { id: appcred?.auth['application_credential_id'], secret: appcred?.auth['application_credential_secret'] },
        },
      },
    },
  });
  t.is(answer.status, 201);
});
