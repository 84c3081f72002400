import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import type { PlatformConfig } from "../../lib/config/schema";
import { renderPlatformNamespace } from "../nodes/placement";
import { loadPlanCrd, renderSystemUpgradeControllerObjects, SYSTEM_UPGRADE_NAMESPACE } from "./system-upgrade-controller";
import { renderK3sUpgradePlans } from "./plans";

/** Arguments of the k3s upgrade add-on. */
export interface K3sUpgradesArgs {
    /** Validated stack configuration (`cluster.k3sVersion` is the Plans' target). */
    config: PlatformConfig;
    /**
     * Resources the Plans wait for. On a new cluster the Plans still run once on every node (the binary is
     * already at the version, so the Job only cordons, drains and exits), so they should come after the
     * add-ons' Helm releases have settled rather than drain nodes while Helm waits for them.
     */
    plansAfter?: pulumi.Input<pulumi.Resource>[];
}

/**
 * k3s upgrades (`platform:upgrades:K3sUpgrades`): system-upgrade-controller at the pinned release and the
 * server and agent Plans for `platform:cluster.k3sVersion`. Changing the version in the stack file updates the
 * two Plans' `version`; the controller then upgrades the servers one at a time (cordoned), then the agents
 * one at a time (drained). Nodes created later install the configured version at boot.
 */
export class K3sUpgrades extends pulumi.ComponentResource {
    /** The version the Plans upgrade the cluster to. */
    readonly k3sVersion: pulumi.Output<string>;
    /** Names of the Plans, servers first. */
    readonly planNames: pulumi.Output<string[]>;

    constructor(name: string, args: K3sUpgradesArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:upgrades:K3sUpgrades", name, {}, opts);
        const { config } = args;
        const ns = renderPlatformNamespace(SYSTEM_UPGRADE_NAMESPACE, "privileged");
        const namespace = new k8s.core.v1.Namespace(`${name}-namespace`, { metadata: ns.metadata }, { parent: this });

        const crdDoc = loadPlanCrd();
        const crd = new k8s.apiextensions.v1.CustomResourceDefinition(`${name}-plan-crd`, { metadata: crdDoc.metadata, spec: crdDoc.spec as k8s.types.input.apiextensions.v1.CustomResourceDefinitionSpec }, { parent: this });

        const o = renderSystemUpgradeControllerObjects();
        const inNamespace = { parent: this, dependsOn: [namespace] };
        const serviceAccount = new k8s.core.v1.ServiceAccount(`${name}-service-account`, { metadata: o.serviceAccount.metadata }, inNamespace);
        const configMap = new k8s.core.v1.ConfigMap(`${name}-controller-env`, { metadata: o.configMap.metadata, data: o.configMap.data }, inNamespace);
        const rbac = [
            new k8s.rbac.v1.ClusterRole(`${name}-cluster-role`, { metadata: o.clusterRole.metadata, rules: o.clusterRole.rules }, { parent: this }),
            new k8s.rbac.v1.Role(`${name}-role`, { metadata: o.role.metadata, rules: o.role.rules }, inNamespace),
            new k8s.rbac.v1.ClusterRole(`${name}-drainer-role`, { metadata: o.drainerClusterRole.metadata, rules: o.drainerClusterRole.rules }, { parent: this }),
            new k8s.rbac.v1.ClusterRoleBinding(`${name}-drainer-binding`, { metadata: o.drainerBinding.metadata, roleRef: o.drainerBinding.roleRef, subjects: o.drainerBinding.subjects }, { parent: this, dependsOn: [serviceAccount] }),
            new k8s.rbac.v1.ClusterRoleBinding(`${name}-cluster-role-binding`, { metadata: o.clusterRoleBinding.metadata, roleRef: o.clusterRoleBinding.roleRef, subjects: o.clusterRoleBinding.subjects }, { parent: this, dependsOn: [serviceAccount] }),
            new k8s.rbac.v1.RoleBinding(`${name}-role-binding`, { metadata: o.roleBinding.metadata, roleRef: o.roleBinding.roleRef, subjects: o.roleBinding.subjects }, { parent: this, dependsOn: [namespace, serviceAccount] }),
        ];
        const controller = new k8s.apps.v1.Deployment(
            `${name}-controller`,
            { metadata: o.deployment.metadata, spec: o.deployment.spec as k8s.types.input.apps.v1.DeploymentSpec },
            { parent: this, dependsOn: [crd, configMap, serviceAccount, ...rbac] },
        );

        // Servers first: the agent Plan's prepare step waits for the server Plan, which must exist.
        const [serverPlan, agentPlan] = renderK3sUpgradePlans(config);
        const server = new k8s.apiextensions.CustomResource(
            `${name}-plan-server`,
            { apiVersion: serverPlan.apiVersion, kind: serverPlan.kind, metadata: serverPlan.metadata, spec: serverPlan.spec },
            { parent: this, dependsOn: [crd, controller, ...(args.plansAfter ?? [])] },
        );
        const agent = new k8s.apiextensions.CustomResource(
            `${name}-plan-agent`,
            { apiVersion: agentPlan.apiVersion, kind: agentPlan.kind, metadata: agentPlan.metadata, spec: agentPlan.spec },
            { parent: this, dependsOn: [crd, controller, server, ...(args.plansAfter ?? [])] },
        );

        this.k3sVersion = pulumi.output(config.cluster.k3sVersion);
        this.planNames = pulumi.all([server.metadata.name, agent.metadata.name]).apply(() => [serverPlan.metadata.name, agentPlan.metadata.name]);
        this.registerOutputs({ k3sVersion: this.k3sVersion, planNames: this.planNames });
    }
}
