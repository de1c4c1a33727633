/**
 * The simulator's certificates, as a stock Proxmox VE install has them: a cluster CA of its own (pve-root-ca)
 * that signs the node's API certificate (pve-cluster's pvecm updatecerts). Made at start with the system's
 * `openssl` (Node has no API to issue certificates); EC P-256 keys, as they are made in milliseconds.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Certificates {
  /** The CA certificate (PEM), written to `caFile` for clients to trust. */
  readonly ca: string;
  readonly caFile: string;
  readonly cert: string;
  readonly key: string;
}

/** Issues a CA and a server certificate for `hosts` (IP addresses and DNS names) into `dir`. */
export function issueCertificates(dir: string, hosts: readonly string[]): Certificates {
  fs.mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const subjectAltName = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? `IP:${host}` : `DNS:${host}`)).join(',');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '3650',
    '-subj', '/CN=Proxmox Virtual Environment/OU=proxmox-sim/O=PVE Cluster Manager CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-keyout', file('pve-root-ca.key'), '-out', file('pve-root-ca.pem'));
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-subj', '/CN=proxmox-sim/OU=PVE Cluster Node/O=Proxmox Virtual Environment',
    '-keyout', file('pve-ssl.key'), '-out', file('pve-ssl.csr'));
  fs.writeFileSync(file('pve-ssl.ext'), `basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=${subjectAltName}\n`);
  openssl('x509', '-req', '-in', file('pve-ssl.csr'), '-CA', file('pve-root-ca.pem'), '-CAkey', file('pve-root-ca.key'),
    '-CAcreateserial', '-days', '3650', '-extfile', file('pve-ssl.ext'), '-out', file('pve-ssl.pem'));
  return {
    ca: fs.readFileSync(file('pve-root-ca.pem'), 'utf8'),
    caFile: file('pve-root-ca.pem'),
    cert: fs.readFileSync(file('pve-ssl.pem'), 'utf8'),
    key: fs.readFileSync(file('pve-ssl.key'), 'utf8'),
  };
}
