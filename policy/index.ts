/**
 * The CrossGuard entry point: `pulumi preview --policy-pack policy` runs this file, which serves the pack over
 * gRPC. It is the only module that constructs the PolicyPack: construction starts the server and may
 * `process.exit`, so nothing else (tests, the offline evaluator) imports this file.
 */
import { PolicyPack } from "@pulumi/policy";
import { POLICY_PACK_NAME, initialPackConfig } from "./lib/config";
import { POLICIES } from "./rules";

new PolicyPack(
    POLICY_PACK_NAME,
    {
        policies: [...POLICIES],
        // Each rule sets its own level (mandatory for security, advisory for hygiene); a rule without one
        // would block the deployment.
        enforcementLevel: "mandatory",
        description: "Hetzner Platform: pod security, tenant isolation, network exposure, k3s hardening and secret outputs.",
    },
    initialPackConfig(POLICIES),
);
