// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Errno;
import dev.guestattest.keys.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

/** The real kernel keyring, in a keyring of the test thread's own so nothing outlives the test. */
@EnabledOnOs(OS.LINUX)
class KernelKeysTest {
    private int ring;

    @BeforeEach
    void newKeyring() {
        ring = KernelKeys.addKeyring("guest-attest-test", KeyringId.THREAD);
    }

    @AfterEach
    void dropKeyring() {
        KernelKeys.invalidate(ring);
    }

    @Test
    void userKeysRoundTripThroughTheKernel() {
        byte[] payload = "evidence bytes".getBytes(StandardCharsets.US_ASCII);
        int key = KernelKeys.add("user", "guest_attest:0:1", payload, ring);
        assertThat(key).isPositive();
        assertThat(KernelKeys.read(key, 1 << 20)).isEqualTo(payload);
        KeyInfo info = KernelKeys.describe(key);
        assertThat(info.type()).isEqualTo("user");
        assertThat(info.description()).isEqualTo("guest_attest:0:1");
        assertThat(info.serial()).isEqualTo(key);
        assertThat(KernelKeys.search(ring, "user", "guest_attest:0:1", 0)).isEqualTo(key);
        assertThat(KernelKeys.request("user", "guest_attest:0:1", Optional.empty(), 0)).isEqualTo(key);
        // add_key with the same description updates in place
        assertThat(KernelKeys.add("user", "guest_attest:0:1", new byte[] {1, 2}, ring)).isEqualTo(key);
        assertThat(KernelKeys.read(key, 100)).containsExactly(1, 2);
    }

    @Test
    void aPayloadLargerThanTheCallersLimitIsRefusedNotCut() {
        int key = KernelKeys.add("user", "big", new byte[5000], ring);
        assertThat(KernelKeys.read(key, 5000)).hasSize(5000);
        assertThatThrownBy(() -> KernelKeys.read(key, 4096))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.TOO_LARGE))
                .hasMessage("key " + key + " payload: 5000 bytes exceeds the limit of 4096 bytes");
    }

    @Test
    void revokedAndMissingKeysFailWithTheKernelsErrno() {
        int key = KernelKeys.add("user", "to-revoke", new byte[] {1}, ring);
        KernelKeys.revoke(key);
        assertThatThrownBy(() -> KernelKeys.read(key, 10))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.reason()).isEqualTo(Reason.KEY_REVOKED);
                    assertThat(e.errno()).hasValue(Errno.EKEYREVOKED);
                }).hasMessage("read key " + key + ": EKEYREVOKED: key has been revoked");
        assertThatThrownBy(() -> KernelKeys.search(ring, "user", "absent", 0))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.errno()).hasValue(Errno.ENOKEY));
        assertThatThrownBy(() -> KernelKeys.request("user", "guest-attest-absent-" + System.nanoTime(), Optional.empty(), 0))
                .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.KEY_NOT_FOUND));
    }

    @Test
    void logonKeysGetPermissionsAndExpiryAndCanNeverBeReadBack() throws Exception {
        Secret secret = Secret.copyOf("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        KeyPermissions perm = KeyPermissions.of(KeyPermissions.ALL, KeyPermissions.VIEW, 0, 0);
        int key = LogonKeys.add("cryptsetup:test", secret, ring, perm, Duration.ofSeconds(1));
        KeyInfo info = KernelKeys.describe(key);
        assertThat(info.type()).isEqualTo("logon");
        assertThat(info.description()).isEqualTo("cryptsetup:test");
        assertThat(info.permissions()).isEqualTo(perm);
        assertThatThrownBy(() -> KernelKeys.read(key, 100))
                .isInstanceOfSatisfying(AttestationException.class, e -> {
                    assertThat(e.errno()).hasValue(Errno.EOPNOTSUPP);
                    assertThat(e.getMessage()).doesNotContain("0123456789");
                });
        long deadline = System.nanoTime() + 5_000_000_000L;
        AttestationException expired = null;
        while (expired == null && System.nanoTime() < deadline) {
            Thread.sleep(100);
            try {
                KernelKeys.describe(key);
            } catch (AttestationException e) {
                expired = e;
            }
        }
        assertThat(expired).as("the key expired").isNotNull();
        assertThat(expired.errno()).hasValue(Errno.EKEYEXPIRED);
        assertThat(secret.toString()).isEqualTo("Secret[32 bytes, redacted]");
    }

    @Test
    void logonDescriptionsNeedAServicePrefixAndAreCheckedBeforeTheKernel() {
        Secret s = Secret.copyOf(new byte[] {1});
        assertThatThrownBy(() -> LogonKeys.add("nocolon", s, ring, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO))
                .hasMessageStartingWith("description: 'nocolon' is not <subclass>:<name>");
        assertThatThrownBy(() -> LogonKeys.add(":x", s, ring, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO))
                .hasMessageStartingWith("description: ':x'");
        assertThatThrownBy(() -> LogonKeys.add("a:b", Secret.copyOf(new byte[40_000]), ring, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO))
                .hasMessage("secret: 40000 bytes is outside 1..32767");
    }

    @Test
    void descriptionsAreBoundedAndNulFree() {
        assertThatThrownBy(() -> KernelKeys.add("user", "x".repeat(4096), new byte[1], ring)).hasMessage("description: 4096 bytes is outside 1..4095");
        assertThatThrownBy(() -> KernelKeys.add("user", "a\0b", new byte[1], ring)).hasMessage("description: contains a NUL byte");
        assertThatThrownBy(() -> KernelKeys.add("user", "", new byte[1], ring)).hasMessage("description: 0 bytes is outside 1..4095");
    }

    @Test
    void keyringNamesAndPermissionMasksParse() {
        assertThat(KeyringId.parse("@s")).isEqualTo(KeyringId.SESSION);
        assertThat(KeyringId.parse("@us")).isEqualTo(KeyringId.USER_SESSION);
        assertThat(KeyringId.parse("123")).isEqualTo(123);
        assertThatThrownBy(() -> KeyringId.parse("@x")).hasMessageStartingWith("keyring: '@x' is not @t, @p, @s");
        assertThatThrownBy(() -> KeyringId.parse("-3")).hasMessageStartingWith("keyring: '-3'");
        assertThat(KeyPermissions.parse("0x3f010000")).isEqualTo(KeyPermissions.POSSESSOR_ONLY);
        assertThat(KeyPermissions.parse("3f010000").possessor()).isEqualTo(KeyPermissions.ALL);
        assertThat(KeyPermissions.POSSESSOR_ONLY).hasToString("0x3f010000");
        assertThatThrownBy(() -> KeyPermissions.parse("0xzz")).hasMessageStartingWith("permissions: '0xzz' is not a hex mask");
        assertThatThrownBy(() -> KeyPermissions.parse("0x40000000")).hasMessageContaining("outside the six per class");
    }
}
