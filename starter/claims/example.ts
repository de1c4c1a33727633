// One Machine: a NixOS VM cloned from the template (VMID 9000) on Proxmox node `pve`, addressed by DHCP.
// Copy this file for each Machine; every field is in @kubelize/fabric's docs/machine-reference.md.
import { defineMachine } from '@kubelize/fabric';

export default defineMachine({
  metadata: { name: 'example' }, // in the namespace infra-machines
  spec: {
    cpu: { cores: 2 },
    memory: { size: 2048 }, // MiB
    disk: { size: 32 }, // GiB
    proxmox: { node: 'pve', templateId: 9000 },
  },
});
