import { READ_ONLY } from "@infra-mcp/core";
import { z } from "zod";
import { qoveryTool } from "../qovery-tool.js";
import { advancedSettings } from "../summary.js";

const inputSchema = z.object({});
const title = "List default container advanced settings";
const description =
  "Qovery's default values of the container advanced settings (41 dotted keys: deployment.*, network.ingress.*, network.gateway_api.*, hpa.*, security.*). Text groups them by prefix; full JSON in structuredContent.";
const annotations = READ_ONLY;

export const listDefaultContainerAdvancedSettings = qoveryTool({
  name: "list-default-container-advanced-settings",
  title,
  description,
  inputSchema,
  annotations,
  request: { method: "GET", path: "/defaultContainerAdvancedSettings" },
  rest: [{ method: "GET", path: "/v1/defaultcontaineradvancedsettings" }],
  summarize: (data) => advancedSettings(data),
});
