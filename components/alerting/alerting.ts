import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as yaml from "js-yaml";
import type { AlertingConfig, AlertingSecretValues } from "../../lib/config/alerting";
import { LABELS, NAMESPACES } from "../../lib/conventions";
import { ALERTMANAGER_CONFIG_SECRET, renderAlertmanagerConfig, type TenantContact } from "./alertmanager-config";
import { renderPlatformAlertGroups, type PlatformAlertArgs } from "./rules";

/** Name of the PrometheusRule with the platform's alerts. */
export const PLATFORM_ALERTS_RULE = "platform-alerts";

/** Arguments of the alerting component. */
export interface AlertingArgs extends PlatformAlertArgs {
    /** Validated `platform:alerting`. */
    alerting: AlertingConfig;
    /** Decoded `platform:alertingSecrets` (secret). */
    secrets: pulumi.Input<AlertingSecretValues>;
    /** Projects whose alerts are mailed to their owner. */
    tenants: readonly TenantContact[];
}

/**
 * Alerting that reaches someone (`platform:alerting:Alerting`): the Alertmanager configuration rendered from
 * the stack's receivers as a Secret the monitoring chart's Alertmanager reads, and the platform's own alert
 * rules as a PrometheusRule. Pass the monitoring release (namespace, CRDs) as `opts.dependsOn`.
 */
export class Alerting extends pulumi.ComponentResource {
    /** Name of the Alertmanager configuration Secret. */
    readonly configSecretName: pulumi.Output<string>;

    constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
        // Render once before super(): a rule or routing problem throws before anything is registered.
        const groups = renderPlatformAlertGroups(args);
        super("platform:alerting:Alerting", name, {}, opts);
        const childOptions: pulumi.CustomResourceOptions = { parent: this, dependsOn: opts?.dependsOn };
        const labels = { [LABELS.managedBy]: "pulumi" };
        const configText = pulumi.secret(
            pulumi.output(args.secrets).apply((secrets) =>
                yaml.dump(renderAlertmanagerConfig({ alerting: args.alerting, secrets, tenants: args.tenants }), { lineWidth: -1, noRefs: true }),
            ),
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-config`,
            { metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: NAMESPACES.monitoring, labels }, stringData: { "alertmanager.yaml": configText } },
            { ...childOptions, additionalSecretOutputs: ["data", "stringData"] },
        );
        new k8s.apiextensions.CustomResource(
            `${name}-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: { name: PLATFORM_ALERTS_RULE, namespace: NAMESPACES.monitoring, labels },
                spec: { groups },
            },
            childOptions,
        );
        this.configSecretName = secret.metadata.name;
        this.registerOutputs({ configSecretName: this.configSecretName });
    }
}
