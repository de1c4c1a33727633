-- Argo CD health of a Crossplane Provider (pkg.crossplane.io), replacing Argo CD's built-in check, which calls
-- every Provider that is not yet Installed=True and Healthy=True Degraded, and so fails the first sync while
-- Crossplane is still starting the provider.
--   Healthy:     Installed=True and Healthy=True.
--   Progressing: no conditions yet; Installed=False without an error; Healthy not True for a reason every
--                install passes through (Crossplane v2.3 apis/pkg/v1/conditions.go PackageHealth, and the
--                package runtime reconciler): revision or runtime health "Unknown", the revision "not healthy
--                yet", the provider Deployment without an Available condition or not yet available.
--   Degraded:    anything else: the package cannot be fetched, the revision is unhealthy with an error.
-- A Deployment that never becomes available (e.g. a crash loop) stays Progressing, with Crossplane's message.
-- Shipped in argocd-cm as resource.customizations.health.pkg.crossplane.io_Provider, with useOpenLibs for
-- string.find (src/gitops/argocd.ts); test/platform/gitops-health.spec.ts runs it in tools/argocd-lua.

local INSTALLING = {
  'health is "Unknown"',
  "Package revision is not healthy yet",
  'has no condition of type "Available" yet',
  "deployment is unavailable with message",
}

local function find(type)
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

local function installing(message)
  for _, text in ipairs(INSTALLING) do
    if string.find(message, text, 1, true) ~= nil then
      return true
    end
  end
  return false
end

local installed = find("Installed")
local healthy = find("Healthy")
if installed == nil and healthy == nil then
  return { status = "Progressing", message = "waiting for Crossplane's package manager" }
end

if installed ~= nil and installed.status ~= "True" then
  if installed.message ~= nil and installed.message ~= "" then
    return { status = "Degraded", message = installed.message }
  end
  return { status = "Progressing", message = installed.reason or "installing the package" }
end

if healthy ~= nil and healthy.status == "True" then
  return { status = "Healthy", message = "installed and healthy" }
end
local message = (healthy and healthy.message) or ""
if healthy == nil or healthy.status == "Unknown" or installing(message) then
  if message == "" then
    message = "waiting for the package to report its health"
  end
  return { status = "Progressing", message = message }
end
return { status = "Degraded", message = message ~= "" and message or healthy.reason }
