/** Ids and argument sets shared by the suites. */
export const IDS = {
  container: "6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f",
  environment: "0b9f8e7d-6c5b-4a39-8281-7f6e5d4c3b2a",
  target: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  organization: "9e8d7c6b-5a49-4837-a625-1403f2e1d0c9",
  registry: "3c4d5e6f-7a8b-4c9d-9e0f-1a2b3c4d5e6f",
  group: "5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f",
};

/** create-container with every part of ContainerRequest: storage, ports, both probes, autoscaling. */
export const FULL_CREATE = {
  environmentId: IDS.environment,
  name: "web-api",
  description: "public API",
  registry_id: IDS.registry,
  image_name: "acme/web-api",
  tag: "1.4.2",
  arguments: ["--port", "8080"],
  entrypoint: "/app/server",
  cpu: 750,
  memory: 1024,
  gpu: 0,
  ephemeral_storage_in_gib: 10,
  cpu_architecture: "ARM64",
  min_running_instances: 1,
  max_running_instances: 3,
  healthchecks: {
    readiness_probe: {
      type: { http: { path: "/ready", scheme: "HTTP", port: 8080 } },
      initial_delay_seconds: 10,
      period_seconds: 5,
      timeout_seconds: 2,
      success_threshold: 1,
      failure_threshold: 3,
    },
    liveness_probe: { type: { tcp: { port: 8080, host: null } }, initial_delay_seconds: 30 },
  },
  auto_preview: false,
  auto_deploy: true,
  annotations_groups: [{ id: IDS.group }],
  labels_groups: [{ id: IDS.group }],
  icon_uri: "https://example.com/icon.svg",
  autoscaling: {
    mode: "KEDA",
    polling_interval_seconds: 30,
    cooldown_period_seconds: 300,
    scalers: [
      {
        scaler_type: "prometheus",
        enabled: true,
        role: "PRIMARY",
        config_json: { threshold: "100" },
        trigger_authentication: { name: "prom-auth" },
      },
    ],
  },
  storage: [{ type: "FAST_SSD", size: 10, mount_point: "/mnt/data" }],
  ports: [
    {
      name: "http",
      internal_port: 8080,
      external_port: 443,
      publicly_accessible: true,
      is_default: true,
      protocol: "HTTP",
    },
    {
      name: "grpc",
      internal_port: 9090,
      publicly_accessible: false,
      protocol: "GRPC",
      public_path: "/api/",
      public_path_rewrite: "/$1",
    },
  ],
};

export const MINIMAL_CREATE = {
  environmentId: IDS.environment,
  name: "worker",
  registry_id: IDS.registry,
  image_name: "acme/worker",
  tag: "latest",
  healthchecks: {},
};

/** One valid call per tool, with the operationId it must reach. */
export const CALLS: {
  tool: string;
  args: Record<string, unknown>;
  operationId: string;
  method: string;
  path: string;
}[] = [
  {
    tool: "clone-container",
    args: { containerId: IDS.container, name: "web-api-copy", environment_id: IDS.target },
    operationId: "cloneContainer",
    method: "POST",
    path: `/container/${IDS.container}/clone`,
  },
  {
    tool: "list-default-container-advanced-settings",
    args: {},
    operationId: "getDefaultContainerAdvancedSettings",
    method: "GET",
    path: "/defaultContainerAdvancedSettings",
  },
  {
    tool: "list-containers",
    args: { environmentId: IDS.environment },
    operationId: "listContainer",
    method: "GET",
    path: `/environment/${IDS.environment}/container`,
  },
  {
    tool: "create-container",
    args: FULL_CREATE,
    operationId: "createContainer",
    method: "POST",
    path: `/environment/${IDS.environment}/container`,
  },
  {
    tool: "list-all-environment-container-statuses",
    args: { environmentId: IDS.environment },
    operationId: "getEnvironmentContainerStatus",
    method: "GET",
    path: `/environment/${IDS.environment}/container/status`,
  },
  {
    tool: "auto-deploy-containers",
    args: { organizationId: IDS.organization, image_name: "acme/web-api", tag: "1.4.3" },
    operationId: "autoDeployContainerEnvironments",
    method: "POST",
    path: `/organization/${IDS.organization}/container/deploy`,
  },
  {
    tool: "preview-container-environments",
    args: { organizationId: IDS.organization, image_name: "acme/web-api", tag: "pr-42" },
    operationId: "previewContainerEnvironments",
    method: "POST",
    path: `/organization/${IDS.organization}/container/preview`,
  },
  {
    tool: "list-all-container-registry-container",
    args: { organizationId: IDS.organization, containerRegistryId: IDS.registry },
    operationId: "getContainerRegistryContainerStatus",
    method: "GET",
    path: `/organization/${IDS.organization}/containerRegistry/${IDS.registry}/container/status`,
  },
];
