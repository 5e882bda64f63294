import { defineConfig } from "tsup";
import { vendorBuild } from "../../tsup.shared.ts";

// Identical in the three bin packages: the configuration and its reasons live in tsup.shared.ts.
export default defineConfig(vendorBuild(new URL("./package.json", import.meta.url)));
