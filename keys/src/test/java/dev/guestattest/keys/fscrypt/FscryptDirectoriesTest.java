// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.fscrypt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.kernel.KernelKeys;
import dev.guestattest.keys.kernel.KeyPermissions;
import dev.guestattest.keys.kernel.KeyringId;
import dev.guestattest.keys.kernel.StagedKeys;
import dev.guestattest.keys.testing.KernelTests;
import dev.guestattest.keys.testing.LoopExt4;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** fscrypt v2 on a loop-mounted ext4, keyed through fscrypt-provisioning keys: the library under the CLI's fscrypt commands. */
class FscryptDirectoriesTest {
    @TempDir
    Path tmp;

    private static Secret key(int seed) {
        byte[] b = new byte[ProvisioningKeys.KEY_SIZE];
        new java.util.Random(seed).nextBytes(b);
        return Secret.copyOf(b);
    }

    @Test
    void encryptLockUnlockRoundTripAndTheKernelAgreesOnTheIdentifier() throws Exception {
        try (LoopExt4 fs = LoopExt4.create(tmp, 16)) {
            Path dir = Files.createDirectory(fs.root().resolve("vault"));
            KeyIdentifier id = FscryptDirectories.encrypt(dir, key(1));
            assertThat(id).isEqualTo(KeyIdentifier.of(key(1))); // our derivation is the kernel's
            assertThat(FscryptDirectories.policy(dir)).isEqualTo(EncryptionPolicy.defaults(id));
            Files.writeString(dir.resolve("plans.txt"), "the plaintext the image must not hold");
            assertThat(FscryptDirectories.status(dir).key().orElseThrow().state()).isEqualTo(KeyStatus.State.PRESENT);

            assertThat(FscryptDirectories.lock(dir, false).state()).isEqualTo(KeyStatus.State.ABSENT);
            try (var names = Files.list(dir)) {
                assertThat(names.map(p -> p.getFileName().toString()).toList()).hasSize(1).doesNotContain("plans.txt");
            }

            assertThatThrownBy(() -> FscryptDirectories.unlock(dir, key(2)))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.REFUSED))
                    .hasMessageContaining("not the one that " + dir + " is encrypted with").hasMessageContaining(id.hex());
            assertThat(FscryptDirectories.status(dir).key().orElseThrow().state()).isEqualTo(KeyStatus.State.ABSENT);

            FscryptDirectories.unlock(dir, key(1));
            assertThat(Files.readString(dir.resolve("plans.txt"))).isEqualTo("the plaintext the image must not hold");
            FscryptDirectories.lock(dir, false);
            fs.unmount();
            byte[] image = Files.readAllBytes(fs.image());
            assertThat(indexOf(image, "the plaintext the image must not hold".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
            assertThat(indexOf(image, "plans.txt".getBytes(StandardCharsets.US_ASCII))).isEqualTo(-1);
        }
    }

    @Test
    void misuseIsRefusedByName() throws Exception {
        try (LoopExt4 fs = LoopExt4.create(tmp, 16)) {
            Path full = Files.createDirectory(fs.root().resolve("full"));
            Files.writeString(full.resolve("a"), "x");
            assertThatThrownBy(() -> FscryptDirectories.encrypt(full, key(1))).hasMessageContaining("is not empty");
            Path plain = Files.createDirectory(fs.root().resolve("plain"));
            assertThatThrownBy(() -> FscryptDirectories.unlock(plain, key(1))).hasMessageContaining("is not encrypted");
            assertThatThrownBy(() -> FscryptDirectories.encrypt(plain, Secret.copyOf(new byte[32])))
                    .hasMessageContaining("32 bytes; an fscrypt master key for AES-256-XTS is exactly 64 bytes");
            FscryptDirectories.encrypt(plain, key(3));
            assertThatThrownBy(() -> FscryptDirectories.encrypt(plain, key(3))).hasMessageContaining("is already encrypted");
            // a failed encrypt with a key that already unlocks another directory leaves that directory unlocked
            Files.writeString(plain.resolve("kept"), "readable");
            Path second = Files.createDirectory(fs.root().resolve("second"));
            Files.writeString(second.resolve("b"), "y");
            assertThatThrownBy(() -> FscryptDirectories.encrypt(second, key(3))).hasMessageContaining("is not empty");
            assertThat(FscryptDirectories.status(plain).key().orElseThrow().state()).isEqualTo(KeyStatus.State.PRESENT);
            assertThat(Files.readString(plain.resolve("kept"))).isEqualTo("readable");
            FscryptDirectories.lock(plain, false);
        }
        KernelTests.require("a tmpfs without encryption");
        Path tmpfs = Files.createDirectories(tmp.resolve("tmpfs"));
        KernelTests.run(List.of("/usr/bin/mount", "-t", "tmpfs", "tmpfs", tmpfs.toString()));
        try {
            assertThatThrownBy(() -> FscryptDirectories.encrypt(tmpfs, key(1))).hasMessageContaining("does not support encryption");
        } finally {
            KernelTests.run(List.of("/usr/bin/umount", tmpfs.toString()));
        }
    }

    /** A provisioning key's payload is for the filesystem only: userspace reading it back is refused. */
    @Test
    void aProvisioningKeyCannotBeReadBackFromUserspace() {
        KernelTests.require("the provisioning key test");
        Secret payload = ProvisioningKeys.payload(key(4));
        // in @u, which a process without a session keyring of its own (keyctl, started from here) possesses
        int serial = StagedKeys.add(ProvisioningKeys.TYPE, "ga-test:prov" + ProcessHandle.current().pid(), payload, KeyringId.USER,
                KeyPermissions.POSSESSOR_ONLY, Duration.ofSeconds(60));
        try {
            assertThatThrownBy(() -> KernelKeys.read(serial, 1024)).isInstanceOfSatisfying(AttestationException.class,
                    e -> assertThat(e.errno()).hasValue(95));
            KernelTests.Result keyctl = KernelTests.output(List.of("keyctl", "read", Integer.toString(serial)));
            assertThat(keyctl.exit()).isNotZero();
            assertThat(keyctl.out()).contains("Operation not supported");
        } finally {
            KernelKeys.unlink(serial, KeyringId.USER);
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

}
