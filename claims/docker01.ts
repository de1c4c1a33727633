// A container host: more CPU and memory, a data disk on the bulk pool for /var/lib/docker.
import { defineMachine } from '@kubelize/fabric';

export default defineMachine({
  metadata: { name: 'docker01', namespace: 'infra-machines' },
  spec: {
    cpu: { cores: 4, sockets: 1, type: 'host' },
    memory: { size: 8192 },
    disk: { size: 64 },
    dataDisks: [{ size: 200, storage: 'tank' }],
    network: { ip: '10.0.1.20', cidr: 24, gateway: '10.0.1.1', domain: 'home.arpa' },
    proxmox: { node: 'pve', vlan: 20 },
    nix: { flakeRef: 'git+https://github.com/kubelize/fabric?ref=main#docker01' },
    bootstrap: {
      sshAuthorizedKeys: ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDQMiAfu3Dnt/xo6xQPL1oQrlAgyswsvn5cskQs46F8k admin@homelab'],
    },
    tags: { environment: 'production', role: 'docker' },
  },
});
