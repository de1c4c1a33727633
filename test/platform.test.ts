/**
 * test/platform/: what Fabric writes for the platform, checked in the test process and by the small upstream
 * tools some specs run (gopher-lua, nix-instantiate, cloud-init, Terraform without a provider, ssh-keygen):
 * the Composition, the Terraform module, the bootstrap, the NixOS side, Argo CD's settings and health checks,
 * every object against its pinned CRD.
 */
import * as path from 'path';
import { runSpecs } from './_spec-suite';

runSpecs(path.join(__dirname, 'platform'));
