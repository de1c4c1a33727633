-- Argo CD health of a fabric.kubelize.io Machine (both topologies: the composite, or the claim).
--   Degraded:    the Machine's Synced=False (the Composition cannot run); the Workspace's Synced=False (Terraform
--                failed: its message carries Terraform's error summary); or a Ready=False failure reason.
--   Healthy:     Ready=True.
--   Progressing: anything else (Creating, Deleting, no status yet).
-- Crossplane's composite reconciler keeps the Machine at Ready=False Creating "Unready resources: workspace"
-- however Terraform fails, so the Composition copies the Workspace's conditions to status.workspace.conditions.
-- Shipped in argocd-cm as resource.customizations.health.fabric.kubelize.io_Machine (src/gitops/argocd.ts).
-- Lua 5.1 as Argo CD runs it: gopher-lua with only the base, table and package libraries (no string library);
-- test/platform/gitops-health.spec.ts runs it so in tools/argocd-lua.

-- Ready=False reasons that mean a failure rather than work in progress (Creating, Deleting, Waiting...).
local FAILURE_REASONS = { Unavailable = true, ReconcileError = true }

local function find(conditions, type)
  if conditions == nil then
    return nil
  end
  for _, c in ipairs(conditions) do
    if c.type == type then
      return c
    end
  end
  return nil
end

local function describe(c, fallback)
  if c.message ~= nil and c.message ~= "" then
    return c.message
  end
  if c.reason ~= nil and c.reason ~= "" then
    return c.reason
  end
  return fallback
end

local status = obj.status or {}
local workspace = status.workspace or {}

local synced = find(status.conditions, "Synced")
if synced ~= nil and synced.status == "False" then
  return { status = "Degraded", message = describe(synced, "the Machine cannot be reconciled") }
end

local workspaceSynced = find(workspace.conditions, "Synced")
if workspaceSynced ~= nil and workspaceSynced.status == "False" then
  return { status = "Degraded", message = "Workspace: " .. describe(workspaceSynced, "Terraform failed") }
end

local ready = find(status.conditions, "Ready")
if ready ~= nil and ready.status == "True" then
  local message = "the VM is ready"
  if status.vmId ~= nil then
    -- Argo CD opens no string library for a custom check: concatenation only.
    message = "VM " .. status.vmId .. " is ready"
    if status.ipAddress ~= nil then
      message = message .. " at " .. status.ipAddress
    end
  end
  return { status = "Healthy", message = message }
end
if ready ~= nil and ready.status == "False" and FAILURE_REASONS[ready.reason] then
  return { status = "Degraded", message = describe(ready, ready.reason) }
end
if ready ~= nil then
  return { status = "Progressing", message = describe(ready, "waiting for the VM") }
end
return { status = "Progressing", message = "waiting for Crossplane to reconcile the Machine" }
