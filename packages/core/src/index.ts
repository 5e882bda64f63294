export * from "./base/credentials.js";
export * from "./base/env-mask.js";
export * from "./base/errors.js";
export * from "./base/logger.js";
export * from "./base/redact.js";
export * from "./base/settings.js";
export * from "./base/started.js";
export * from "./cli.js";
export * from "./help.js";
export * from "./observe/config.js";
export * from "./streams/output.js";
export * from "./streams/sessions.js";
export * from "./tools/builder.js";
export {
  errorResult,
  errorText,
  formatZodError,
  type InvokeOptions,
  invokeTool,
  type RegisterOptions,
  registerTools,
  toCallToolResult,
} from "./tools/call.js";
export * from "./tools/confirm.js";
export * from "./tools/confirm-policy.js";
// The definitions without defineTool: a served tool is written through a builder (defineVendor).
export {
  type AnyObjectSchema,
  type AnyRoute,
  type AnyTool,
  type RestRoute,
  route,
  type ToolContext,
  type ToolDefinition,
  type ToolHints,
  type ToolResultData,
} from "./tools/definition.js";
export * from "./tools/listing.js";
export * from "./tools/paging.js";
export * from "./tools/prompts.js";
export * from "./tools/scope.js";
export * from "./tools/select.js";
export * from "./tools/session-tools.js";
export * from "./tools/toolsets.js";
export * from "./tools/vendor.js";
export * from "./upstream/dry-run.js";
export * from "./upstream/http.js";
export * from "./upstream/params.js";
export { describeBody, excerpt, readBounded, readBoundedText } from "./upstream/response.js";
export * from "./upstream/upstream.js";
export * from "./upstream/websocket.js";
