// A DHCP machine with an admin user: what most new Machines start from.
import { defineMachine } from '@kubelize/fabric';

export default defineMachine({
  metadata: { name: 'basic', namespace: 'infra-machines' },
  spec: {
    cpu: { cores: 2 },
    memory: { size: 2048 },
    disk: { size: 32 },
    proxmox: { node: 'pve' },
    bootstrap: {
      sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQMiAfu3Dnt/xo6xQPL1oQrlAgyswsvn5cskQs46F8k admin@homelab'],
    },
    tags: { environment: 'development' },
  },
});
