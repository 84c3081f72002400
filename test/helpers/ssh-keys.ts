import * as ssh2 from "ssh2";

/**
 * An ed25519 key pair in OpenSSH format that ssh2 can read back. `ssh2.utils.generateKeyPairSync` writes a
 * private key its own parser rejects ("Malformed OpenSSH private key") for about one key in 200 (measured:
 * 15 of 3,000), which made the bare-metal tests fail at random; such pairs are drawn again.
 */
export function sshKeyPair(comment = ""): { private: string; public: string } {
    for (let attempt = 0; attempt < 20; attempt++) {
        const pair = ssh2.utils.generateKeyPairSync("ed25519", { comment });
        if (!(ssh2.utils.parseKey(pair.private) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) {
            return pair;
        }
    }
    throw new Error("ssh2 generated 20 unreadable ed25519 keys in a row");
}
