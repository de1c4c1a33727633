/**
 * The admin user's keys, decoded as Proxmox's `ssh-keygen -l` decodes them: a key the XRD's pattern lets
 * through but ssh-keygen refuses would fail the VM update after the clone (see ssh-public-key.ts).
 */
import { sshPublicKeyProblem } from './ssh-public-key';

export function checkSshKeys(spec: { bootstrap?: { sshAuthorizedKeys?: readonly string[] } }): { path: string; message: string }[] {
  return (spec.bootstrap?.sshAuthorizedKeys ?? []).flatMap((line, index) => {
    const problem = sshPublicKeyProblem(line);
    return problem === undefined
      ? []
      : [{ path: `spec.bootstrap.sshAuthorizedKeys[${index}]`, message: `must be a public key ssh-keygen -l accepts (Proxmox checks every key with it): ${problem}` }];
  });
}
