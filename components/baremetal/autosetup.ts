import type { PlatformConfig } from "../../lib/config/schema";

/**
 * Pure renderers for installing a Robot server from its rescue system with Hetzner's `installimage`:
 * the `/autosetup` file, the post-install script that seeds cloud-init (NoCloud), and the rescue-side
 * script that checks the uploads, runs installimage and reboots into the new system.
 *
 * This module is captured by value into the serialized dynamic provider (robot-provider.ts): the `import`
 * above is type-only and vanishes at runtime; `require` is used inside functions for Node built-ins. Values
 * are plain `const`s exported by the list at the end (see robot-provider.ts for why).
 */

/** The validated `platform:baremetal` settings. */
export type BaremetalSettings = PlatformConfig["baremetal"];

/** Where the files live in the rescue system (and, for NoCloud, in the installed system). */
const INSTALL_PATHS = {
    /** installimage configuration. */
    autosetup: "/autosetup",
    /** Post-install script; installimage copies it into the new system and runs it there (chroot). */
    postInstall: "/root/post-install.sh",
    /** installimage output, kept for diagnosis. */
    log: "/root/platform-installimage.log",
    /** installimage's own debug log. */
    debugLog: "/root/debug.txt",
    /** NoCloud seed directory inside the installed system. */
    nocloudSeed: "/var/lib/cloud/seed/nocloud-net",
    /** cloud-init drop-in that restricts datasources to the seed. */
    datasourceConfig: "/etc/cloud/cloud.cfg.d/90-platform-nocloud.cfg",
} as const;

/** Printed by the post-install script when the seed is in place; the install script requires it in the logs. */
const POST_INSTALL_MARKER = "platform-post-install: nocloud seed written";

/** Minimum number of drives per software RAID level (installimage and mdadm refuse fewer). */
const RAID_MIN_DRIVES: Readonly<Record<number, number>> = { 0: 2, 1: 2, 5: 3, 6: 4, 10: 4 };

const HOSTNAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * The installimage `/autosetup` for one server: drives, software RAID (level only when RAID is on), GRUB,
 * hostname, partitions in config order, image. Throws on settings installimage would reject halfway through
 * a 10-minute install: too few drives for the RAID level, a size `all` that is not last, a duplicate mount.
 */
export function renderAutosetup(settings: BaremetalSettings, hostname: string): string {
    if (!HOSTNAME.test(hostname)) {
        throw new Error(`hostname "${hostname}" is not a lowercase DNS label`);
    }
    if (/\s/.test(settings.image)) {
        throw new Error(`installimage image path "${settings.image}" contains whitespace`);
    }
    if (settings.drives.length === 0) {
        throw new Error("baremetal.drives is empty: installimage needs DRIVE1");
    }
    if (new Set(settings.drives).size !== settings.drives.length) {
        throw new Error(`baremetal.drives lists a drive twice: ${settings.drives.join(", ")}`);
    }
    if (settings.swraid) {
        const needed = RAID_MIN_DRIVES[settings.swraidLevel] ?? 2;
        if (settings.drives.length < needed) {
            throw new Error(`software RAID ${settings.swraidLevel} needs at least ${needed} drives, baremetal.drives has ${settings.drives.length}`);
        }
    }
    settings.partitions.forEach((part, index) => {
        if (part.size === "all" && index !== settings.partitions.length - 1) {
            throw new Error(`partition ${part.mount} has size "all" but is not the last partition: installimage gives it the rest of the disk`);
        }
        if ((part.filesystem === "swap") !== (part.mount === "swap")) {
            throw new Error(`partition ${part.mount}: swap must be mounted as "swap" with filesystem swap`);
        }
    });
    const mounts = settings.partitions.map((p) => p.mount).filter((m) => m !== "swap");
    const duplicate = mounts.find((m, i) => mounts.indexOf(m) !== i);
    if (duplicate) {
        throw new Error(`partition ${duplicate} is declared twice`);
    }
    if (!mounts.includes("/")) {
        throw new Error('baremetal.partitions has no "/" partition');
    }

    const lines = [
        `# installimage autosetup for ${hostname}: rendered by components/baremetal/autosetup.ts`,
        ...settings.drives.map((drive, index) => `DRIVE${index + 1} ${drive}`),
        `SWRAID ${settings.swraid ? 1 : 0}`,
        ...(settings.swraid ? [`SWRAIDLEVEL ${settings.swraidLevel}`] : []),
        "BOOTLOADER grub",
        `HOSTNAME ${hostname}`,
        ...settings.partitions.map((p) => `PART ${p.mount} ${p.filesystem} ${p.size}`),
        `IMAGE ${settings.image}`,
        "",
    ];
    return lines.join("\n");
}

/** Options of {@link renderPostInstallScript}. */
export interface PostInstallOptions {
    /** `local-hostname` in the NoCloud meta-data. */
    hostname?: string;
    /** NoCloud `instance-id`; defaults to one derived from the user-data, so new user-data is a new instance. */
    instanceId?: string;
}

/** The default NoCloud instance id: `iid-platform-` plus 16 hex digits of the user-data's SHA-256. */
export function instanceIdFor(userData: string): string {
    const crypto = require("node:crypto") as typeof import("node:crypto");
    return `iid-platform-${crypto.createHash("sha256").update(userData).digest("hex").slice(0, 16)}`;
}

/**
 * The installimage post-install script. installimage runs it inside the freshly installed system (chroot),
 * so the paths are the new system's. It writes the NoCloud seed (user-data from a base64 blob, so no quoting
 * of the cloud-config can break the script, and meta-data with the instance id), pins cloud-init to that seed,
 * re-enables cloud-init if the image disabled it, and prints {@link POST_INSTALL_MARKER}.
 */
export function renderPostInstallScript(userData: string, options: PostInstallOptions = {}): string {
    if (userData.trim() === "") {
        throw new Error("user-data is empty: the node would boot without its cloud-init");
    }
    const instanceId = options.instanceId ?? instanceIdFor(userData);
    if (!/^[A-Za-z0-9._-]+$/.test(instanceId)) {
        throw new Error(`instance id "${instanceId}" must be [A-Za-z0-9._-]+`);
    }
    if (options.hostname !== undefined && !HOSTNAME.test(options.hostname)) {
        throw new Error(`hostname "${options.hostname}" is not a lowercase DNS label`);
    }
    const userDataB64 = Buffer.from(userData, "utf8").toString("base64");
    const metaData = [`instance-id: ${instanceId}`, ...(options.hostname ? [`local-hostname: ${options.hostname}`] : [])].join("\\n");
    return `#!/usr/bin/env bash
# installimage post-install: seeds cloud-init NoCloud in the installed system.
# Rendered by components/baremetal/autosetup.ts; installimage runs it chrooted into the new system.
set -euo pipefail

SEED_DIR="${INSTALL_PATHS.nocloudSeed}"
USER_DATA_B64='${userDataB64}'

install -d -m 0700 "\${SEED_DIR}"
# The user-data carries the node's one-time tailnet key: readable by root only.
umask 077
printf '%s' "\${USER_DATA_B64}" | base64 -d > "\${SEED_DIR}/user-data"
printf '${metaData}\\n' > "\${SEED_DIR}/meta-data"

# Only the local seed: no network datasource probing on a dedicated server.
install -d -m 0755 /etc/cloud/cloud.cfg.d
printf 'datasource_list: [ NoCloud, None ]\\n' > "${INSTALL_PATHS.datasourceConfig}"
chmod 0644 "${INSTALL_PATHS.datasourceConfig}"
rm -f /etc/cloud/cloud-init.disabled

if ! command -v cloud-init >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q cloud-init
fi

echo "${POST_INSTALL_MARKER}"
`;
}

/**
 * The script run in the rescue system after `/autosetup` and the post-install script were uploaded. It
 * refuses to run anywhere but the rescue system (hostname `rescue`), checks both uploads, runs
 * `installimage -a -c /autosetup -x /root/post-install.sh` (non-interactive: the rescue shell's
 * `installimage` alias is not loaded over SSH, so the binary is located explicitly), requires the
 * post-install marker in the logs (installimage can end without running the script), then schedules a
 * reboot a few seconds later so the SSH session can return the exit status first.
 */
export function renderInstallCommand(): string {
    return `#!/usr/bin/env bash
# Rescue-system install step: rendered by components/baremetal/autosetup.ts.
set -euo pipefail

AUTOSETUP="${INSTALL_PATHS.autosetup}"
POST_INSTALL="${INSTALL_PATHS.postInstall}"
LOG="${INSTALL_PATHS.log}"
DEBUG_LOG="${INSTALL_PATHS.debugLog}"
MARKER="${POST_INSTALL_MARKER}"

if [ "$(hostname)" != "rescue" ]; then
  echo "refusing to install: this is $(hostname), not the Hetzner rescue system" >&2
  exit 2
fi
for file in "\${AUTOSETUP}" "\${POST_INSTALL}"; do
  if [ ! -s "\${file}" ]; then
    echo "missing upload: \${file}" >&2
    exit 2
  fi
done
chmod 0600 "\${AUTOSETUP}"
chmod 0700 "\${POST_INSTALL}"

INSTALLIMAGE="$(command -v installimage || true)"
if [ -z "\${INSTALLIMAGE}" ]; then
  INSTALLIMAGE=/root/.oldroot/nfs/install/installimage
fi
if [ ! -x "\${INSTALLIMAGE}" ]; then
  echo "installimage not found in the rescue system" >&2
  exit 2
fi

export TERM=xterm
# installimage waits for a key press before starting in automatic mode; feed it one.
if ! echo x | "\${INSTALLIMAGE}" -a -c "\${AUTOSETUP}" -x "\${POST_INSTALL}" > "\${LOG}" 2>&1; then
  echo "installimage failed; last lines of \${LOG}:" >&2
  tail -n 60 "\${LOG}" >&2
  exit 1
fi
if ! grep -qsF "\${MARKER}" "\${LOG}" "\${DEBUG_LOG}"; then
  echo "installimage finished but the post-install script did not run; last lines of \${LOG}:" >&2
  tail -n 60 "\${LOG}" >&2
  exit 1
fi

echo "installimage finished; rebooting into the installed system"
nohup sh -c 'sleep 5; reboot' > /dev/null 2>&1 &
`;
}

export { INSTALL_PATHS, POST_INSTALL_MARKER };
