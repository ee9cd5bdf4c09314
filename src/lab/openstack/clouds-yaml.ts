/**
 * The clouds.yaml that points real OpenStack clients at the lab. Rule: two clouds on the same
 * Keystone — `gameday-lab` (password auth, user `gameday` in project `jupytercloud`, domains
 * Default) and `gameday-lab-appcred` (an application credential of that user and project) —
 * both region RegionOne, public interface, plain HTTP on 127.0.0.1.
 */
import { stringify } from 'yaml';
import { LAB_OPENSTACK, type LabIdentity } from './identity.js';

/** The clouds' names. */
export const LAB_CLOUDS = { password: 'gameday-lab', appCredential: 'gameday-lab-appcred' } as const;

/** Renders clouds.yaml for the lab's Keystone at `authUrl` (`…/identity/v3`). */
export function renderCloudsYaml(authUrl: string, identity: LabIdentity): string {
  const common = { region_name: LAB_OPENSTACK.region, interface: 'public', identity_api_version: 3 };
  return stringify({
    clouds: {
      [LAB_CLOUDS.password]: {
        auth_type: 'password',
        auth: {
          auth_url: authUrl,
          username: identity.user.name,
          password: identity.user.password,
          project_name: identity.project.name,
          user_domain_name: identity.domain.name,
          project_domain_name: identity.domain.name,
        },
        ...common,
      },
      [LAB_CLOUDS.appCredential]: {
        auth_type: 'v3applicationcredential',
        auth: {
          auth_url: authUrl,
          application_credential_id: identity.appCredential.id,
          application_credential_secret: identity.appCredential.secret,
        },
        ...common,
      },
    },
  });
}
