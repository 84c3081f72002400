import * as path from "node:path";
import { generateTenants, regionStackDoc, shippedShapes } from "./tools/bench/tenants";
import { validateTenantDocuments } from "./lib/tenants/load";
import { platformConfigFromStack } from "./tools/offline/reports";
const shapes = shippedShapes(".");
const tenants = generateTenants(shapes, 1000);
const { doc } = regionStackDoc(path.resolve("Pulumi.dev.yaml"), "dev", tenants);
const flat = Object.fromEntries(Object.entries(doc.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]));
const config = platformConfigFromStack(flat);
const secretNames = new Map(tenants.map((t) => [t.name, new Set(t.secretNames)]));
const { Session } = require("node:inspector");
for (const n of [100, 1000]) {
  const docs = tenants.slice(0, n).map((t) => ({ file: `stacks/dev/projects/${t.name}.yaml`, text: t.text + "\n# " + n }));
  const t0 = performance.now();
  validateTenantDocuments(docs, { config, secretNames });
  console.log(n, (performance.now() - t0).toFixed(0), "ms");
}
