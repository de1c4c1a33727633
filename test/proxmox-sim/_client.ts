/**
 * A small HTTPS client for the simulator's API, as a Proxmox client calls it: `PVEAPIToken` authorisation,
 * form-encoded bodies for POST and PUT, the query for GET and DELETE, and the simulator's CA trusted.
 */
import * as https from 'https';
import type { ProxmoxSim } from '../../src/proxmox-sim';

export interface Reply {
  readonly status: number;
  /** The HTTP reason phrase Proxmox puts its message's first line in. */
  readonly reason: string;
  readonly body: any;
}

export async function call(sim: ProxmoxSim, method: string, path: string, params: Record<string, string | number> = {}, token: string | null = sim.token): Promise<Reply> {
  const encoded = new URLSearchParams(Object.entries(params).map(([key, value]): [string, string] => [key, String(value)])).toString();
  const inBody = method === 'POST' || method === 'PUT';
  const url = new URL(`${sim.url}${path}${!inBody && encoded ? `${path.includes('?') ? '&' : '?'}${encoded}` : ''}`);
  return new Promise((resolve, reject) => {
    const request = https.request(url, {
      method,
      ca: sim.ca,
      headers: {
        Accept: 'application/json',
        ...(token !== null ? { Authorization: `PVEAPIToken=${token}` } : {}),
        ...(inBody && encoded ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}),
      },
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode!, reason: response.statusMessage ?? '', body: text ? JSON.parse(text) : undefined }));
    });
    request.on('error', reject);
    if (inBody && encoded) request.write(encoded);
    request.end();
  });
}

/** Polls a task's status until it has stopped, as clients do; its final status. */
export async function waitTask(sim: ProxmoxSim, upid: string, token: string = sim.token): Promise<Record<string, any>> {
  const node = upid.split(':')[1];
  for (;;) {
    const reply = await call(sim, 'GET', `/nodes/${node}/tasks/${encodeURIComponent(upid)}/status`, {}, token);
    if (reply.status !== 200) throw new Error(`task status: ${reply.status} ${reply.reason}`);
    if (reply.body.data.status === 'stopped') return reply.body.data;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A task method's UPID, started and waited for; the task's exit status. */
export async function runTask(sim: ProxmoxSim, method: string, path: string, params: Record<string, string | number> = {}): Promise<string> {
  const reply = await call(sim, method, path, params);
  if (reply.status !== 200) throw new Error(`${method} ${path}: ${reply.status} ${JSON.stringify(reply.body)}`);
  return (await waitTask(sim, reply.body.data)).exitstatus;
}
