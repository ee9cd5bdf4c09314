# JupyterHub 3.0 configuration for gameday's integration tests, rendered by
# scripts/jupyterhub/up.sh into STATE/jupyterhub_config.py (@STATE@ and the URLs replaced).
# Shaped like a z2jh hub: the proxy is configurable-http-proxy run separately (the "proxy
# pod"), the hub listens on its own port behind it. Test-only choices: DummyAuthenticator
# and SimpleLocalProcessSpawner (no isolation between users). No secret is written here:
# tokens and the cookie secret are read from their files in STATE (mode 600).
import os

STATE = '@STATE@'


def read_secret(name):
    with open(os.path.join(STATE, name)) as f:
        return f.read().strip()


c = get_config()  # noqa: F821 (provided by traitlets when it loads this file)

# --- the hub, behind a proxy it does not start
c.JupyterHub.bind_url = '@PUBLIC_URL@'
c.JupyterHub.hub_bind_url = '@HUB_BIND_URL@'
c.JupyterHub.db_url = 'sqlite:///' + os.path.join(STATE, 'jupyterhub.sqlite')
c.JupyterHub.cookie_secret_file = os.path.join(STATE, 'jupyterhub_cookie_secret')
c.JupyterHub.cleanup_servers = False
c.JupyterHub.last_activity_interval = 5
c.JupyterHub.authenticate_prometheus = True
c.ConfigurableHTTPProxy.should_start = False
c.ConfigurableHTTPProxy.api_url = '@PROXY_API_URL@'
c.ConfigurableHTTPProxy.auth_token = read_secret('proxy-token')

# --- anyone may log in (tests only)
c.JupyterHub.authenticator_class = 'jupyterhub.auth.DummyAuthenticator'

# --- gameday: a service with an API token and the scopes its faults and probes use
c.JupyterHub.services = [{'name': 'gameday', 'api_token': read_secret('api-token')}]
c.JupyterHub.load_roles = [
    {
        'name': 'gameday',
        'description': 'gameday: read the hub, start and stop servers, read metrics',
        'scopes': [
            'admin:users',
            'admin:servers',
            'list:users',
            'read:users',
            'read:users:activity',
            'read:servers',
            'access:servers',
            'read:metrics',
            'read:hub',
            'proxy',
        ],
        'services': ['gameday'],
    }
]

# --- single-user servers: local processes, each in STATE/users/<name>
c.JupyterHub.spawner_class = 'jupyterhub.spawner.SimpleLocalProcessSpawner'
c.SimpleLocalProcessSpawner.home_dir_template = os.path.join(STATE, 'users', '{username}')
c.Spawner.cmd = ['/usr/bin/jupyterhub-singleuser']
c.Spawner.args = ['--allow-root'] if os.geteuid() == 0 else []
c.Spawner.ip = '127.0.0.1'
c.Spawner.http_timeout = 10
c.Spawner.poll_interval = 2
