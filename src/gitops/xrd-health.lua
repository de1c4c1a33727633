-- Argo CD health of a Crossplane CompositeResourceDefinition, replacing the wildcard check Argo CD applies to
-- *.crossplane.io (argo-cd v3.5.1 resource_customizations/_.crossplane.io/_/health.lua:26). That check reads
-- `obj.status == nil or next(obj.status) == nil and contains(has_no_status, obj.kind)`; `and` binds tighter
-- than `or`, so any object without a status is Healthy, and a just-created XRD counts as Healthy before
-- Crossplane has made its CRD: the sync waves after it would not wait.
--   Healthy:     Established=True (Crossplane serves the composite's CRD: v2.3.4 apis/apiextensions/v1/
--                conditions.go:63-71, set by internal/controller/apiextensions/definition/reconciler.go:650)
--                and, for an XRD that offers a claim (spec.claimNames, apis/apiextensions/v2/xrd_types.go:
--                300-304), Offered=True as well. A namespaced v2 XRD offers none and never shows Offered.
--   Progressing: anything else: no status yet, Established not yet True, or terminating (Crossplane reports
--                its errors as events, not conditions, so nothing here means Degraded).
-- Shipped in argocd-cm as resource.customizations.health.apiextensions.crossplane.io_CompositeResourceDefinition
-- (src/gitops/argocd.ts); an exact group_Kind key wins over Argo CD's wildcard (util/lua/lua.go:169-205).
-- test/platform/gitops-health.spec.ts runs it in tools/argocd-lua.

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

local established = find("Established")
if established == nil or established.status ~= "True" then
  local why = "waiting for Crossplane to establish the composite resource's CRD"
  if established ~= nil and established.reason ~= nil then
    why = why .. " (" .. established.reason .. ")"
  end
  return { status = "Progressing", message = why }
end

if obj.spec ~= nil and obj.spec.claimNames ~= nil then
  local offered = find("Offered")
  if offered == nil or offered.status ~= "True" then
    return { status = "Progressing", message = "waiting for Crossplane to offer the claim" }
  end
  return { status = "Healthy", message = "established and offered" }
end
return { status = "Healthy", message = "established" }
