/**
 * The public side of z2jh's proxy (proxy-public → configurable-http-proxy): every request is
 * routed only by the proxy's route table, to the hub or to a user pod's notebook server.
 * Rules, as CHP 4.6 does: no matching route is a 404 and an unreachable target a 503, both
 * rendered by the error target (the hub's `/hub/error/<code>` page) or, when the hub cannot
 * answer either, as the bare reason phrase; a successful answer (< 300) stamps the route's
 * last activity. A request meant for the hub while it is down is counted in the hub's request
 * metric with code 503 (the lab's choice, so 5xx during a hub outage are measurable). While no
 * proxy pod serves, the Service has no endpoint and the lab answers its own 503 page.
 */
import type { ServerResponse } from 'node:http';
import type { SimClock } from '../clock.js';
import type { FrameHandler } from '../http-frame.js';
import type { JupyterHubModel } from '../jupyterhub-model.js';
import { isPodServing } from '../kubernetes/pods.js';
import type { Pod } from '../kubernetes/types.js';
import { sendProxyPlain } from './hub-http.js';
import { proxyErrorPage, pageRoutes } from './hub-pages.js';
import { userApiRoutes } from './hub-api-users.js';
import { serverApiRoutes } from './hub-api-servers.js';
import { routeFor, serveHub, type HubDispatch, type HubRoute } from './hub-routes.js';
import { NotebookServers } from './notebook.js';
import { HUB_TARGET, NOTEBOOK_PORT } from './proxy.js';

/** What the public proxy needs. */
export interface ProxyFrontOptions {
  model: JupyterHubModel;
  clock: SimClock;
  /** The token the hub accepts (an admin's). */
  token: string;
}

const NO_ENDPOINT_PAGE = '<html><body><h1>503 Service Unavailable</h1>\n<p>No endpoint serves proxy-public (no proxy pod is ready).</p>\n</body></html>\n';

/** Every hub route in the hub application's order. */
export function hubRoutes(): HubRoute[] {
  return [...userApiRoutes(), ...serverApiRoutes(), ...pageRoutes()];
}

/** The handler of the lab's public JupyterHub endpoint. */
export function proxyFrontHandler(options: ProxyFrontOptions): FrameHandler {
  const { model, clock } = options;
  const dispatch: HubDispatch = { routes: hubRoutes(), model, clock, token: options.token };
  const notebooks = new NotebookServers(clock, options.token, () => model.hubReady());
  return async (req, res, url) => {
    if (!model.proxyReady()) {
      res.writeHead(503, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(NO_ENDPOINT_PAGE) });
      res.end(NO_ENDPOINT_PAGE);
      return;
    }
    if ((req.url ?? '') === '/_chp_healthz') {
      const body = JSON.stringify({ status: 'OK' });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const match = model.proxy.match(decodePath(url.pathname));
    if (!match) {
      proxyError(model, dispatch, res, 404);
      return;
    }
    res.once('finish', () => {
      if (res.statusCode < 300) model.proxy.touch(match.prefix);
    });
    const target = match.data.target;
    if (target === HUB_TARGET) {
      if (model.hubReady()) {
        await serveHub(dispatch, req, res, url);
        return;
      }
      const handler = routeFor(dispatch.routes, url.pathname)?.route.handler ?? 'jupyterhub.handlers.base.Template404';
      model.hub.metrics.observeRequest((req.method ?? 'GET').toUpperCase(), handler, 503, 0);
      sendProxyPlain(res, 503);
      return;
    }
    const pod = notebookPod(model, target);
    if (pod) {
      notebooks.prune(new Set(model.serverPods().map((p) => p.metadata.uid ?? '')));
      if (notebooks.serve(pod, req, res, url) === 'answered') return;
    }
    proxyError(model, dispatch, res, 503);
  };
}

/** CHP's decoding of the request path for matching (a malformed escape keeps the raw path). */
function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** The pod a route target reaches: a serving user pod at that IP, on the notebook port. */
function notebookPod(model: JupyterHubModel, target: string): Pod | undefined {
  const match = /^http:\/\/([0-9.]+):(\d+)\/?$/.exec(target);
  if (!match || Number(match[2]) !== NOTEBOOK_PORT) return undefined;
  return model.serverPods().find((p) => p.status.podIP === match[1] && isPodServing(p));
}

/** CHP's handleProxyError: the error target's page, or the bare reason when the hub cannot render it. */
function proxyError(model: JupyterHubModel, dispatch: HubDispatch, res: ServerResponse, status: number): void {
  if (!model.hubReady()) {
    sendProxyPlain(res, status);
    return;
  }
  const handler = routeFor(dispatch.routes, `/hub/error/${status}`)?.route.handler ?? 'jupyterhub.handlers.pages.ProxyErrorHandler';
  model.hub.metrics.observeRequest('GET', handler, 200, 0);
  const body = proxyErrorPage(status);
  res.writeHead(status, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
