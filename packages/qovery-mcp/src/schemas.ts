import { z } from "zod";

/**
 * Hand-written zod schemas for the request bodies of Qovery's OpenAPI spec (openapi.yaml, v1.0.4):
 * CloneServiceRequest, ContainerRequest (= ServiceStorageRequest + ServicePortRequest + container
 * fields) and the org-wide {image_name, tag} bodies. Field names are the spec's wire names, so a
 * tool's arguments minus its path ids are exactly the JSON body Qovery receives. Descriptions are
 * the spec's, shortened (those that only restate the field name are dropped): every byte here is
 * sent to the model in tools/list. Sub-schemas used twice in one tool (Probe, IdRefs) carry a
 * registry id, so the listed JSON schema holds them once under `definitions` and `$ref`s them.
 */

/**
 * A uuid as the spec declares it (`format: uuid`, any hex uuid, not only v4). Validation is zod's;
 * the listed JSON schema drops zod's 90-byte regex since `format: uuid` says the same to a model.
 */
export const guid = () => z.guid().meta({ pattern: undefined });

/** An integer; the listed JSON schema drops zod's implicit ±2^53 bounds (27 bytes each). */
export const int = (min?: number, max?: number) => {
  let s = z.int();
  if (min !== undefined) s = s.min(min);
  if (max !== undefined) s = s.max(max);
  return s.meta({
    ...(min === undefined ? { minimum: undefined } : {}),
    ...(max === undefined ? { maximum: undefined } : {}),
  });
};

/** Path ids: the spec declares them all `format: uuid`. */
const uuid = (what: string) => guid().describe(`${what} id`);
export const containerId = uuid("Container");
export const environmentId = uuid("Environment");
export const organizationId = uuid("Organization");
export const containerRegistryId = uuid("Container registry");

const port = int(1, 65535);
const seconds = int(0);

const probeType = z
  .object({
    tcp: z.object({ port, host: z.string().nullable().optional() }).optional(),
    http: z
      .object({
        path: z.string().optional(),
        scheme: z.string().optional(),
        port,
      })
      .optional(),
    exec: z.object({ command: z.array(z.string()).min(1).describe("argv") }).optional(),
    grpc: z.object({ service: z.string().nullable().optional(), port }).optional(),
  })
  .refine((t) => Object.values(t).filter((v) => v !== undefined).length === 1, {
    message: "set exactly one of tcp, http, exec, grpc",
  })
  .describe("one of tcp/http/exec/grpc");

/** Probe (spec defaults: delay 30, period 10, timeout 5, success 1, failure 9). */
export const probe = z
  .object({
    type: probeType,
    initial_delay_seconds: seconds.optional(),
    period_seconds: seconds.optional(),
    timeout_seconds: seconds.optional(),
    success_threshold: int(1).optional(),
    failure_threshold: int(1).optional(),
  })
  // Listed once under definitions and referenced by both probes (context cost).
  .meta({ id: "Probe" });

export const healthchecks = z
  .object({ readiness_probe: probe.optional(), liveness_probe: probe.optional() })
  .describe("{} for none; probe defaults: delay 30 s, period 10, timeout 5, success 1, failure 9");

export const storage = z.array(
  z.object({
    id: guid().optional(),
    type: z.enum(["FAST_SSD"]).default("FAST_SSD"),
    size: int(4).describe("GB"),
    mount_point: z.string().min(1),
  }),
);

export const ports = z.array(
  z.object({
    id: guid().optional(),
    name: z.string().optional(),
    internal_port: port,
    external_port: port.optional().describe("exposed port; default chosen if unset"),
    publicly_accessible: z.boolean(),
    is_default: z.boolean().optional().describe("domain's default port"),
    protocol: z.enum(["HTTP", "GRPC", "TCP", "UDP"]).optional().describe("default HTTP"),
    public_path: z.string().optional().describe("path regex to accept, e.g. /api/ (public HTTP/GRPC only)"),
    public_path_rewrite: z.string().optional().describe("rewrite target, e.g. /api/$1"),
  }),
);

const groupRefs = z.array(z.object({ id: guid() })).meta({ id: "IdRefs" });

export const autoscaling = z
  .object({
    mode: z.literal("KEDA"),
    polling_interval_seconds: int().optional(),
    cooldown_period_seconds: int().optional(),
    scalers: z
      .array(
        z.object({
          scaler_type: z.string().min(1),
          enabled: z.boolean().optional(),
          role: z.enum(["PRIMARY", "SAFETY"]),
          config_json: z.record(z.string(), z.unknown()).optional(),
          config_yaml: z.string().optional(),
          trigger_authentication: z.object({ name: z.string().min(1), config_yaml: z.string().optional() }).optional(),
        }),
      )
      .min(1),
  })
  .describe("KEDA");

/** ContainerRequest: every field of the spec (required: name, registry_id, image_name, tag, healthchecks). */
export const containerRequest = {
  name: z.string().min(1).describe("case-insensitive, unique in the environment"),
  description: z.string().optional(),
  registry_id: guid(),
  image_name: z
    .string()
    .min(1)
    .describe("ECR: repository; SCALEWAY_CR: namespace/image; DOCKER_HUB: [repo/]image; PUBLIC_ECR: alias/repository"),
  tag: z.string().min(1),
  arguments: z.array(z.string()).optional(),
  entrypoint: z.string().optional(),
  cpu: int(1).optional().describe("millicores, default 500"),
  memory: int(1).optional().describe("MB, default 512"),
  gpu: int(0).optional(),
  ephemeral_storage_in_gib: int(0).optional(),
  cpu_architecture: z.enum(["AMD64", "ARM64"]).nullable().optional().describe("null: cluster default"),
  min_running_instances: int(0).optional().describe("default 1; 0 = stopped"),
  max_running_instances: int(-1).optional().describe("default 1; -1 = no limit"),
  healthchecks,
  auto_preview: z.boolean().optional().describe("preview env per pull request; default: the environment's"),
  auto_deploy: z.boolean().nullable().optional().describe("redeploy on new tag (auto-deploy-containers)"),
  annotations_groups: groupRefs.optional(),
  labels_groups: groupRefs.optional(),
  icon_uri: z.url().optional(),
  autoscaling: autoscaling.optional(),
  storage: storage.optional(),
  ports: ports.optional(),
};

/** OrganizationContainerAutoDeployRequest / OrganizationContainerPreviewRequest. */
export const imageTag = {
  image_name: z.string().min(1).describe("image name as configured on the containers"),
  tag: z.string().min(1).describe("the new tag"),
};

/** Lifecycle actions: seconds to follow the status after the request (progress notifications). */
export const wait = int(0, 3600)
  .meta({ maximum: undefined })
  .default(0)
  .describe("Seconds to poll status until it settles, with progress");

/** Gateway routes: an optional pod of the service (default: the gateway's choice / all pods). */
export const pod = z.string().min(1).max(253).optional().meta({ minLength: undefined, maxLength: undefined });

/** Drops defensive bounds from the listing (validation keeps them): a real argument never comes near. */
export const unlisted = { minLength: undefined, maxLength: undefined, maxItems: undefined, maximum: undefined };
