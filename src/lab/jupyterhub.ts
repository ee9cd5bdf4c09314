/**
 * The lab's JupyterHub on the wire: the public endpoint (z2jh's proxy-public, in front of the
 * hub and the user servers) and the proxy's REST API (proxy-api). Rules: every public request
 * is routed by the proxy's route table alone; the hub answers as JupyterHub 3 does (token
 * auth with `Authorization: token|Bearer`, `{"status","message"}` JSON errors, 403 naming the
 * missing scopes); the proxy API answers as configurable-http-proxy 4.6.3 does. The parts
 * live in `jupyterhub/`; this file is what `index.ts` wires.
 */
import type { SimClock } from './clock.js';
import type { ErrorAnswer, FrameHandler } from './http-frame.js';
import type { JupyterHubModel } from './jupyterhub-model.js';
import { pyJson } from './jupyterhub/python-format.js';
import { proxyFrontHandler } from './jupyterhub/proxy-front.js';

export { LAB_HUB_VERSION } from './jupyterhub/hub-http.js';
export { SLOW_TIMEOUT_MS, DEFAULT_HUB_SETTINGS, type HubSettings } from './jupyterhub/hub-settings.js';
export { LAB_NOTEBOOK_VERSION, TOKEN_CACHE_MS } from './jupyterhub/notebook.js';
export { HUB_TARGET, NOTEBOOK_PORT } from './jupyterhub/proxy.js';
export { proxyApiErrorAnswer, proxyApiHandler, type ProxyApiOptions } from './jupyterhub/proxy-api.js';

/** What the public JupyterHub endpoint needs. */
export interface HubApiOptions {
  model: JupyterHubModel;
  clock: SimClock;
  /** The token the hub accepts (an admin's: every scope). */
  token: string;
}

/** JupyterHub's JSON error body for a status (injected faults and unexpected failures). */
export function hubErrorAnswer(status: number, message: string): ErrorAnswer {
  return { contentType: 'application/json', body: pyJson({ status, message }) };
}

/** The request handler of the lab's public JupyterHub endpoint (through its proxy). */
export function hubHandler(options: HubApiOptions): FrameHandler {
  return proxyFrontHandler(options);
}
