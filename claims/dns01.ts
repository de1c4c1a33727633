// The site's DNS server: static address, pinned VMID, its own NixOS configuration from the flake.
import { defineMachine } from '@kubelize/fabric';

export default defineMachine({
  metadata: { name: 'dns01', namespace: 'infra-machines' },
  spec: {
    cpu: { cores: 2 },
    memory: { size: 2048 },
    disk: { size: 32 },
    network: {
      ip: '10.0.1.10',
      cidr: 24,
      gateway: '10.0.1.1',
      dns: ['1.1.1.1', '9.9.9.9'],
      domain: 'home.arpa',
    },
    proxmox: { node: 'pve', storage: 'local-zfs', bridge: 'vmbr0', vlan: 20, templateId: 9000, vmId: 120, pool: 'infra' },
    nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#dns01' },
    bootstrap: {
      adminUser: 'admin',
      sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQMiAfu3Dnt/xo6xQPL1oQrlAgyswsvn5cskQs46F8k admin@homelab'],
    },
    tags: { environment: 'production', role: 'dns' },
  },
});
