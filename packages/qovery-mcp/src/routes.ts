import { type AnyRoute, route } from "@infra-mcp/core";
import type { QoveryClient } from "./config.js";
import { autoDeployContainers } from "./tools/auto-deploy-containers.js";
import { cloneContainer } from "./tools/clone-container.js";
import { createContainer } from "./tools/create-container.js";
import { listAllContainerRegistryContainer } from "./tools/list-all-container-registry-container.js";
import { listAllEnvironmentContainerStatuses } from "./tools/list-all-environment-container-statuses.js";
import { listContainers } from "./tools/list-containers.js";
import { listDefaultContainerAdvancedSettings } from "./tools/list-default-container-advanced-settings.js";
import { previewContainerEnvironments } from "./tools/preview-container-environments.js";

/** The seed's REST surface (--rest): route → tool, the seed's lower-case placeholders mapped to arguments. */
export const routes: AnyRoute<QoveryClient>[] = [
  route("POST /v1/container/{containerid}/clone", cloneContainer, {
    pathArgs: { containerid: "containerId" },
    body: "merge",
  }),
  route("GET /v1/defaultcontaineradvancedsettings", listDefaultContainerAdvancedSettings),
  route("GET /v1/environment/{environmentid}/container", listContainers, {
    pathArgs: { environmentid: "environmentId" },
  }),
  route("POST /v1/environment/{environmentid}/container", createContainer, {
    pathArgs: { environmentid: "environmentId" },
    body: "merge",
  }),
  route("GET /v1/environment/{environmentid}/container/status", listAllEnvironmentContainerStatuses, {
    pathArgs: { environmentid: "environmentId" },
  }),
  route("POST /v1/organization/{organizationid}/container/deploy", autoDeployContainers, {
    pathArgs: { organizationid: "organizationId" },
    body: "merge",
  }),
  route("POST /v1/organization/{organizationid}/container/preview", previewContainerEnvironments, {
    pathArgs: { organizationid: "organizationId" },
    body: "merge",
  }),
  route(
    "GET /v1/organization/{organizationid}/containerregistry/{containerregistryid}/container/status",
    listAllContainerRegistryContainer,
    { pathArgs: { organizationid: "organizationId", containerregistryid: "containerRegistryId" } },
  ),
];
