// The smallest valid Machine: the one in the original project's README.
import { defineMachine } from '@kubelize/fabric';

export default defineMachine({
  metadata: { name: 'test-vm', namespace: 'infra-machines' },
  spec: {
    cpu: { cores: 2 },
    memory: { size: 2048 },
    disk: { size: 32 },
    proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', templateId: 9000 },
  },
});
