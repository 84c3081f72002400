import * as yaml from "js-yaml";
import { BOOTSTRAP_PATHS, renderBootstrapScript, renderFirewallUnit, renderNftGuard, type BootstrapInput } from "./bootstrap-script";
import { K3S_PATHS, renderAuditPolicy, renderPsaConfig } from "../cluster/k3s-config";
import { EDGE_METER_START, edgeMeterFiles, type NodeMeterInput } from "../metering/edge-meter";
import { REGISTRIES_PATH } from "../registry/node-registries";

/** Inputs of the node user-data. */
export interface UserDataInput extends BootstrapInput {
    /** Rendered `/etc/rancher/k3s/config.yaml`. */
    k3sConfig: string;
    /** The node's single-use Tailscale auth key (the only secret in user-data; deleted after use). */
    tailscaleAuthKey: string;
    /** Public SSH key for root (used only over the tailnet). */
    sshAuthorizedKey: string;
    /** Bare metal on a vSwitch: the script that brings its VLAN up (components/baremetal/vswitch-network.ts). */
    vswitchScript?: string;
    /**
     * Every node: meter in the kernel the bytes pods send to the internet and, on edge nodes, to Traefik's pods
     * (components/metering/edge-meter.ts).
     */
    nodeMeter?: NodeMeterInput;
    /** k3s `registries.yaml` (components/registry/node-registries.ts): how containerd reaches the platform registry. */
    registries?: string;
    /**
     * Build-pool nodes: let rootless BuildKit create its user namespace. Ubuntu 24.04 sets
     * `kernel.apparmor_restrict_unprivileged_userns=1`, which makes RootlessKit fail with `fork/exec
     * /proc/self/exe: permission denied` (moby/buildkit docs/rootless.md v0.25.2, "Ubuntu, 24.04 or later"); only
     * the dedicated, tainted build nodes relax it.
     */
    rootlessBuilds?: boolean;
}

/** The sysctl file of build-pool nodes (see {@link UserDataInput.rootlessBuilds}). */
export const ROOTLESS_BUILDS_SYSCTL = { path: "/etc/sysctl.d/91-platform-rootless-builds.conf", content: "kernel.apparmor_restrict_unprivileged_userns=0\n" } as const;

/** Where the vSwitch script is written on bare-metal nodes. */
export const VSWITCH_SCRIPT_PATH = "/usr/local/sbin/platform-vswitch.sh";

interface WriteFile {
    path: string;
    content: string;
    permissions: string;
    owner?: string;
}

/**
 * Renders the `#cloud-config` user-data of a node: base hardening (unattended upgrades, key-only SSH,
 * kernel settings k3s' protect-kernel-defaults expects), storage prerequisites (open-iscsi, nfs-common),
 * the k3s config files and the first-boot script. Used verbatim by hcloud and seeded as NoCloud on bare metal.
 */
export function renderUserData(input: UserDataInput): string {
    const files: WriteFile[] = [
        { path: "/etc/ssh/sshd_config.d/10-platform.conf", permissions: "0644", content: "PasswordAuthentication no\nKbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nX11Forwarding no\nAllowAgentForwarding no\n" },
        { path: "/etc/apt/apt.conf.d/20auto-upgrades", permissions: "0644", content: 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n' },
        { path: "/etc/apt/apt.conf.d/51platform-unattended", permissions: "0644", content: 'Unattended-Upgrade::Automatic-Reboot "false";\nUnattended-Upgrade::Remove-Unused-Dependencies "true";\n' },
        { path: "/etc/sysctl.d/90-k3s-protect-kernel-defaults.conf", permissions: "0644", content: "vm.panic_on_oom=0\nvm.overcommit_memory=1\nkernel.panic=10\nkernel.panic_on_oops=1\n" },
        { path: "/etc/modules-load.d/platform.conf", permissions: "0644", content: "iscsi_tcp\ndm_crypt\n" },
        { path: K3S_PATHS.config, permissions: "0600", content: input.k3sConfig },
        { path: BOOTSTRAP_PATHS.guard, permissions: "0644", content: renderNftGuard() },
        { path: BOOTSTRAP_PATHS.firewallUnit, permissions: "0644", content: renderFirewallUnit() },
        { path: BOOTSTRAP_PATHS.authKey, permissions: "0600", content: input.tailscaleAuthKey },
        { path: BOOTSTRAP_PATHS.script, permissions: "0700", content: renderBootstrapScript(input) },
    ];
    if (input.registries !== undefined) {
        // Before k3s' first start (the bootstrap script installs it; the join starts it): containerd reads it at start.
        files.push({ path: REGISTRIES_PATH, permissions: "0600", content: input.registries });
    }
    if (input.rootlessBuilds === true) {
        // Read by the `sysctl --system` of runcmd, before k3s starts any build pod.
        files.push({ path: ROOTLESS_BUILDS_SYSCTL.path, permissions: "0644", content: ROOTLESS_BUILDS_SYSCTL.content });
    }
    if (input.vswitchScript !== undefined) {
        files.push({ path: VSWITCH_SCRIPT_PATH, permissions: "0700", content: input.vswitchScript });
    }
    if (input.nodeMeter !== undefined) {
        files.push(...edgeMeterFiles(input.nodeMeter));
    }
    if (input.k3sRole === "server") {
        files.push({ path: K3S_PATHS.psa, permissions: "0600", content: renderPsaConfig() });
        files.push({ path: K3S_PATHS.auditPolicy, permissions: "0600", content: renderAuditPolicy() });
    }
    const document = {
        hostname: input.hostname,
        fqdn: input.hostname,
        manage_etc_hosts: true,
        ssh_pwauth: false,
        disable_root: false,
        ssh_authorized_keys: [input.sshAuthorizedKey.trim()],
        package_update: true,
        package_upgrade: true,
        packages: ["unattended-upgrades", "open-iscsi", "nfs-common", "nftables", "curl", "ca-certificates", "jq", "cryptsetup"],
        write_files: files,
        runcmd: [
            ["sysctl", "--system"],
            ["systemctl", "enable", "--now", "iscsid"],
            // The VLAN comes up before the tailnet join, so Tailscale advertises its address as an endpoint.
            ...(input.vswitchScript !== undefined ? [["bash", VSWITCH_SCRIPT_PATH]] : []),
            // Before k3s forwards anything: a connection opened before the table exists is never counted.
            ...(input.nodeMeter !== undefined ? EDGE_METER_START : []),
            ["bash", BOOTSTRAP_PATHS.script],
        ],
    };
    return `#cloud-config\n${yaml.dump(document, { lineWidth: -1, noRefs: true })}`;
}
