// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.StagedKeys;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * fscrypt v2 as a consumer of released keys: a master key goes from a {@link Secret} into an
 * {@code fscrypt-provisioning} key in the calling thread's keyring, from there into the filesystem
 * by serial, and the provisioning key is invalidated at once. The filesystem then holds the key for
 * every process, whatever their sessions, until {@link #lock} or an unmount; userspace can never read
 * it back, and it never touches a file.
 */
public final class FscryptDirectories {
    /** Possessor view, search (the filesystem's lookup by serial needs it) and setattr; no one else anything. */
    private static final KeyPermissions PROVISIONING = KeyPermissions.of(KeyPermissions.VIEW | KeyPermissions.SEARCH
            | KeyPermissions.SETATTR, 0, 0, 0);

    private FscryptDirectories() {
    }

    /** What a directory's encryption looks like now. */
    public record Status(Optional<EncryptionPolicy> policy, Optional<KeyStatus> key) {
    }

    /** Sets a v2 policy for {@code key} on the empty directory {@code dir}, leaving it unlocked; returns the key's identifier. */
    public static KeyIdentifier encrypt(Path dir, Secret key) {
        ProvisioningKeys.requireSize(key);
        try (FscryptIoctl d = FscryptIoctl.open(dir); FscryptIoctl fs = FscryptIoctl.open(mountRoot(dir))) {
            Optional<EncryptionPolicy> existing = d.policy();
            if (existing.isPresent()) {
                throw AttestationException.invalid("directory", dir + " is already encrypted (key " + existing.get().key().hex()
                        + "); use fscrypt unlock");
            }
            KeyStatus before = fs.keyStatus(KeyIdentifier.of(key));
            KeyIdentifier id = add(fs, key);
            try {
                d.setPolicy(EncryptionPolicy.defaults(id));
            } catch (AttestationException e) {
                if (!(before.state() == KeyStatus.State.PRESENT && before.addedBySelf())) { // else it unlocks another directory: keep it
                    try {
                        fs.removeKey(id, false);
                    } catch (AttestationException remove) {
                        e.addSuppressed(remove);
                    }
                }
                throw e;
            }
            return id;
        }
    }

    /**
     * Adds {@code key} to the filesystem holding {@code dir}. A key that is not the one {@code dir}'s
     * policy names is refused before the filesystem sees it.
     */
    public static KeyIdentifier unlock(Path dir, Secret key) {
        ProvisioningKeys.requireSize(key);
        EncryptionPolicy policy = policy(dir);
        KeyIdentifier offered = KeyIdentifier.of(key);
        if (!offered.equals(policy.key())) { // checked before the add, which would unlock any other directory this key opens
            throw AttestationException.of(Reason.REFUSED, "the key is not the one that " + dir + " is encrypted with: its"
                    + " identifier is " + offered.hex() + ", the directory's policy names " + policy.key().hex());
        }
        try (FscryptIoctl fs = FscryptIoctl.open(mountRoot(dir))) {
            return add(fs, key);
        }
    }

    /**
     * Removes the directory's key from its filesystem (this user's claim, or every user's). Returns
     * the status after: {@code INCOMPLETELY_REMOVED} while files opened before stay open.
     */
    public static KeyStatus lock(Path dir, boolean allUsers) {
        EncryptionPolicy policy = policy(dir);
        try (FscryptIoctl fs = FscryptIoctl.open(mountRoot(dir))) { // not DIR itself: an open descriptor would keep it in use
            fs.removeKey(policy.key(), allUsers);
            return fs.keyStatus(policy.key());
        }
    }

    /** The directory's policy; refused when it is not encrypted. */
    public static EncryptionPolicy policy(Path dir) {
        try (FscryptIoctl d = FscryptIoctl.open(dir)) {
            return d.policy().orElseThrow(() -> notEncrypted(dir));
        }
    }

    public static Status status(Path dir) {
        Optional<EncryptionPolicy> policy;
        try (FscryptIoctl d = FscryptIoctl.open(dir)) {
            policy = d.policy();
        }
        if (policy.isEmpty()) {
            return new Status(policy, Optional.empty());
        }
        try (FscryptIoctl fs = FscryptIoctl.open(mountRoot(dir))) {
            return new Status(policy, Optional.of(fs.keyStatus(policy.get().key())));
        }
    }

    /** The root of the filesystem holding {@code dir}: the key ioctls act on the filesystem, through an unencrypted directory. */
    static Path mountRoot(Path dir) {
        try {
            Path at = dir.toRealPath();
            Object device = Files.getAttribute(at, "unix:dev");
            for (Path up = at.getParent(); up != null && device.equals(Files.getAttribute(up, "unix:dev")); up = up.getParent()) {
                at = up;
            }
            return at;
        } catch (IOException e) {
            throw AttestationException.of(Reason.IO_ERROR, "cannot find the filesystem of " + dir + ": " + e.getMessage());
        }
    }

    private static KeyIdentifier add(FscryptIoctl d, Secret key) {
        Secret payload = ProvisioningKeys.payload(key);
        int serial;
        try {
            serial = StagedKeys.add(ProvisioningKeys.TYPE, "guest-attest:" + ProcessHandle.current().pid() + ":" + Thread.currentThread().getId(),
                    payload, KeyringId.THREAD, PROVISIONING, Duration.ofSeconds(60));
        } finally {
            payload.destroy();
        }
        try {
            return d.addKey(serial);
        } finally {
            try {
                KernelKeys.invalidate(serial);
            } catch (AttestationException e) {
                // it expires within a minute anyway, and the outcome of the add is what the caller needs
            }
        }
    }

    private static AttestationException notEncrypted(Path dir) {
        return AttestationException.invalid("directory", dir + " is not encrypted (fscrypt encrypt sets a policy on an empty directory)");
    }
}
