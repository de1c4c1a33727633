-- Argo CD health of a fabric.kubelize.io Machine (both topologies: the composite, or the claim).
-- Ready=True: Healthy. Synced=False, or Ready=False for a failure reason: Degraded. Otherwise: Progressing.
-- Shipped in argocd-cm as resource.customizations.health.fabric.kubelize.io_Machine (src/gitops/argocd-chart.ts).
-- Lua 5.1 as Argo CD runs it: gopher-lua with only the base, table and package libraries (no string library);
-- test/gitops-health.test.ts runs it so in tools/argocd-lua.

-- Ready=False reasons that mean a failure rather than work in progress (Creating, Deleting, Waiting...).
local FAILURE_REASONS = { Unavailable = true, ReconcileError = true }

local function condition(type)
  if obj.status == nil or obj.status.conditions == nil then
    return nil
  end
  for _, c in ipairs(obj.status.conditions) do
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

local synced = condition("Synced")
if synced ~= nil and synced.status == "False" then
  return { status = "Degraded", message = describe(synced, "the Machine cannot be reconciled") }
end

local ready = condition("Ready")
if ready ~= nil and ready.status == "True" then
  local message = "the VM is ready"
  if obj.status.vmId ~= nil then
    -- Argo CD opens no string library for a custom check: concatenation only.
    message = "VM " .. obj.status.vmId .. " is ready"
    if obj.status.ipAddress ~= nil then
      message = message .. " at " .. obj.status.ipAddress
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
