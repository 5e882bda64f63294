import { z } from "zod";

/**
 * Hand-written zod schemas for the request bodies of Qovery's OpenAPI spec (openapi.yaml, v1.0.4):
 * CloneServiceRequest, ContainerRequest (= ServiceStorageRequest + ServicePortRequest + container
 * fields) and the org-wide {image_name, tag} bodies. Field names are the spec's wire names, so a
 * tool's arguments minus its path ids are exactly the JSON body Qovery receives. Descriptions are
 * the spec's, shortened (those that only restate the field name are dropped): every byte here is
 * sent to the model in tools/list. The nested bodies of ContainerRequest are listed compactly (see
 * `listedAs`), which keeps create-container's entry under the 2,000-byte budget with every field named.
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

/** A required non-empty string; the listing leaves out `minLength: 1` (validation keeps it). */
const nonEmpty = () => z.string().min(1).meta({ minLength: undefined });

/**
 * Lists a nested body as its type plus one line naming every field (`?` optional, `|` choices,
 * spec defaults in parentheses) instead of the full JSON Schema: the full listing of ContainerRequest
 * costs 5.3 KB of context on every tools/list, and models read a TypeScript-like line as well as a
 * schema. Validation still runs the whole zod schema, so a wrong nested field is refused naming its
 * path (`ports[0].internal_port`) before anything is sent.
 */
const listedAs = <T extends z.ZodType>(schema: T, fields: string): T =>
  schema.meta({
    description: fields,
    properties: undefined,
    required: undefined,
    items: undefined,
    additionalProperties: undefined,
    minItems: undefined,
  });
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
export const probe = z.object({
  type: probeType,
  initial_delay_seconds: seconds.optional(),
  period_seconds: seconds.optional(),
  timeout_seconds: seconds.optional(),
  success_threshold: int(1).optional(),
  failure_threshold: int(1).optional(),
});

export const healthchecks = listedAs(
  z.object({ readiness_probe: probe.optional(), liveness_probe: probe.optional() }),
  "{readiness_probe?, liveness_probe?}, each {type: {tcp: {port, host?}} | {http: {port, path?, scheme?}} | {exec: {command: string[]}} | {grpc: {port, service?}}, initial_delay_seconds? (30), period_seconds? (10), timeout_seconds? (5), success_threshold? (1), failure_threshold? (9)}; {} for none",
);

export const storage = listedAs(
  z.array(
    z.object({
      id: guid().optional(),
      type: z.enum(["FAST_SSD"]).default("FAST_SSD"),
      size: int(4),
      mount_point: z.string().min(1),
    }),
  ),
  "[{size: GB >= 4, mount_point, type? (FAST_SSD), id?}]",
);

export const ports = listedAs(
  z.array(
    z.object({
      id: guid().optional(),
      name: z.string().optional(),
      internal_port: port,
      external_port: port.optional(),
      publicly_accessible: z.boolean(),
      is_default: z.boolean().optional(),
      protocol: z.enum(["HTTP", "GRPC", "TCP", "UDP"]).optional(),
      public_path: z.string().optional(),
      public_path_rewrite: z.string().optional(),
    }),
  ),
  "[{internal_port, publicly_accessible: boolean, external_port?, protocol?: HTTP (default) | GRPC | TCP | UDP, is_default?, public_path?: regex, e.g. /api/, public_path_rewrite?: e.g. /api/$1, name?, id?}]",
);

const groupRefs = listedAs(z.array(z.object({ id: guid() })), "[{id}]");

export const autoscaling = listedAs(
  z.object({
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
  }),
  '{mode: "KEDA", scalers: [{scaler_type, role: PRIMARY | SAFETY, enabled?, config_json?: object, config_yaml?, trigger_authentication?: {name, config_yaml?}}] (1+), polling_interval_seconds?, cooldown_period_seconds?}',
);

/** ContainerRequest: every field of the spec (required: name, registry_id, image_name, tag, healthchecks). */
export const containerRequest = {
  name: nonEmpty().describe("unique in the environment, case-insensitive"),
  description: z.string().optional(),
  registry_id: guid(),
  image_name: nonEmpty().describe(
    "ECR: repository; SCALEWAY_CR: namespace/image; DOCKER_HUB: [repo/]image; PUBLIC_ECR: alias/repository",
  ),
  tag: nonEmpty(),
  arguments: z.array(z.string()).optional(),
  entrypoint: z.string().optional(),
  cpu: int(1).optional().describe("millicores, default 500"),
  memory: int(1).optional().describe("MB, default 512"),
  gpu: int(0).optional(),
  ephemeral_storage_in_gib: int(0).optional(),
  cpu_architecture: z
    .enum(["AMD64", "ARM64"])
    .nullable()
    .optional()
    // One enum with null lists the same choices in half the bytes of zod's anyOf.
    .meta({ anyOf: undefined, enum: ["AMD64", "ARM64", null], description: "null: cluster default" }),
  min_running_instances: int(0).optional().describe("default 1; 0 = stopped"),
  max_running_instances: int(-1).optional().describe("default 1; -1 = no limit"),
  healthchecks,
  auto_preview: z.boolean().optional().describe("preview env per pull request (default: the environment's)"),
  auto_deploy: z.boolean().nullable().optional().describe("redeploy on a new tag"),
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
