import type { AnyTool } from "@infra-mcp/core";
import type { QoveryClient } from "../config.js";
import { autoDeployContainers } from "./auto-deploy-containers.js";
import { cloneContainer } from "./clone-container.js";
import { createContainer } from "./create-container.js";
import { listAllContainerRegistryContainer } from "./list-all-container-registry-container.js";
import { listAllEnvironmentContainerStatuses } from "./list-all-environment-container-statuses.js";
import { listContainers } from "./list-containers.js";
import { listDefaultContainerAdvancedSettings } from "./list-default-container-advanced-settings.js";
import { previewContainerEnvironments } from "./preview-container-environments.js";

/**
 * The qovery-mcp tool table, in the seed's order: one line per tool, one file per tool beside
 * this one. REST routes: ../routes.ts.
 */
export const tools: AnyTool<QoveryClient>[] = [
  cloneContainer,
  listDefaultContainerAdvancedSettings,
  listContainers,
  createContainer,
  listAllEnvironmentContainerStatuses,
  autoDeployContainers,
  previewContainerEnvironments,
  listAllContainerRegistryContainer,
];
