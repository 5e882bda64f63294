export * from "./builder.js";
export * from "./cli.js";
export * from "./confirm.js";
export * from "./credentials.js";
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
} from "./definition.js";
export * from "./errors.js";
export * from "./http.js";
export * from "./listing.js";
export * from "./logger.js";
export * from "./output.js";
export * from "./paging.js";
export * from "./params.js";
export * from "./redact.js";
export * from "./response.js";
export * from "./scope.js";
export * from "./select.js";
export * from "./session-tools.js";
export * from "./sessions.js";
export * from "./settings.js";
export * from "./started.js";
export {
  errorResult,
  errorText,
  formatZodError,
  type InvokeOptions,
  invokeTool,
  type RegisterOptions,
  registerTools,
  toCallToolResult,
} from "./tool.js";
export * from "./toolsets.js";
export * from "./upstream.js";
export * from "./vendor.js";
export * from "./websocket.js";
