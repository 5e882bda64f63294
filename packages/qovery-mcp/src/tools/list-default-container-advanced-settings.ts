import { z } from "zod";
import { qovery } from "../builder.js";
import { advancedSettings } from "../summary.js";

export const listDefaultContainerAdvancedSettings = qovery.httpTool({
  name: "list-default-container-advanced-settings",
  title: "List default container advanced settings",
  description:
    "Default values of the container advanced settings (41 dotted keys: deployment.*, network.ingress.*, network.gateway_api.*, hpa.*, security.*). Text groups them by prefix; full JSON in structuredContent.",
  toolset: "containers",
  inputSchema: z.object({}),
  hints: "readOnly",
  request: { method: "GET", path: "/defaultContainerAdvancedSettings" },
  result: (data) => advancedSettings(data),
});
