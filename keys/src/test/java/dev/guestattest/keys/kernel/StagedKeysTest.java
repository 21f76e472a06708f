// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Reason;
import dev.guestattest.keys.Secret;
import dev.guestattest.keys.testing.KernelTests;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keys landed from a private session, as systemd gives every service by default: the test's worker
 * thread joins a new anonymous session keyring (session keyrings belong to a thread's credentials),
 * so {@code @u} is not reachable from it and a key added there is not possessed.
 */
class StagedKeysTest {
    private static final KeyPermissions ASKED = KeyPermissions.of(KeyPermissions.VIEW | KeyPermissions.SEARCH | KeyPermissions.LINK,
            KeyPermissions.VIEW, 0, 0);
    private static ExecutorService privateSession;

    @BeforeAll
    static void joinPrivateSession() throws Exception {
        KernelTests.require("the private-session key tests");
        privateSession = Executors.newSingleThreadExecutor();
        privateSession.submit(KernelKeys::joinNewSession).get(10, TimeUnit.SECONDS);
    }

    @AfterAll
    static void leave() {
        privateSession.shutdownNow();
    }

    private static <T> T inPrivateSession(Callable<T> task) throws Exception {
        try {
            return privateSession.submit(task).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    private static Secret secret() {
        return Secret.copyOf("disk key material".getBytes(StandardCharsets.US_ASCII));
    }

    /** The failure the issue reproduced: added straight into @u, the key is not possessed, and configuring it fails for root too. */
    @Test
    void theDirectWayFailsInAPrivateSessionAndWouldLeaveTheKeyBehind() throws Exception {
        String description = "ga-test:direct" + ProcessHandle.current().pid();
        int key = inPrivateSession(() -> KernelKeys.add(LogonKeys.TYPE, description, secret(), KeyringId.USER));
        try {
            assertThatThrownBy(() -> inPrivateSession(() -> {
                KernelKeys.setPermissions(key, ASKED);
                return null;
            })).isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.errno()).hasValue(13))
                    .hasMessageContaining("set permissions on key " + key).hasMessageContaining("possessed").hasMessageNotContaining("run as root");
        } finally {
            KernelKeys.unlink(key, KeyringId.USER); // unlinking needs only write on @u
        }
    }

    @Test
    void aLogonKeyLandsInUserKeyringWithExactlyTheAskedPermissionsAndExpiry() throws Exception {
        String description = "ga-test:staged" + ProcessHandle.current().pid();
        int key = inPrivateSession(() -> LogonKeys.add(description, secret(), KeyringId.USER, ASKED, Duration.ofSeconds(600)));
        try {
            KeyInfo info = KernelKeys.describe(key);
            assertThat(info.permissions()).isEqualTo(ASKED);
            assertThat(info.description()).isEqualTo(description);
            assertThat(KernelKeys.search(KeyringId.USER, LogonKeys.TYPE, description, 0)).isEqualTo(key);
            assertThat(KernelTests.procKeys(key).orElseThrow()[3]).matches("(9|10)m");
            // no staging link is left in the worker's thread keyring
            assertThatThrownBy(() -> inPrivateSession(() -> KernelKeys.search(KeyringId.THREAD, LogonKeys.TYPE, description, 0)))
                    .isInstanceOf(AttestationException.class);
        } finally {
            KernelKeys.unlink(key, KeyringId.USER);
        }
    }

    @Test
    void aSecondAddReplacesTheKeyInItsDestination() throws Exception {
        String description = "ga-test:replace" + ProcessHandle.current().pid();
        int first = inPrivateSession(() -> LogonKeys.add(description, secret(), KeyringId.USER, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO));
        int second = inPrivateSession(() -> LogonKeys.add(description, secret(), KeyringId.USER, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO));
        try {
            assertThat(second).isNotEqualTo(first);
            assertThat(KernelKeys.search(KeyringId.USER, LogonKeys.TYPE, description, 0)).isEqualTo(second);
        } finally {
            KernelKeys.unlink(second, KeyringId.USER);
        }
    }

    /** A failure in the middle (the destination refuses the link) revokes the key while it is still possessed. */
    @Test
    void aFailureInTheMiddleLeavesNoUsableKey() throws Exception {
        String description = "ga-test:fail" + ProcessHandle.current().pid();
        int[] serial = new int[1];
        assertThatThrownBy(() -> inPrivateSession(() -> {
            int locked = KernelKeys.addKeyring("ga-test-locked", KeyringId.SESSION);
            KernelKeys.setPermissions(locked, KeyPermissions.of(KeyPermissions.VIEW | KeyPermissions.SEARCH, 0, 0, 0));
            try {
                return LogonKeys.add(description, secret(), locked, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO);
            } finally {
                KernelKeys.unlink(locked, KeyringId.SESSION);
            }
        })).isInstanceOfSatisfying(AttestationException.class, e -> {
            assertThat(e.getMessage()).startsWith("link key ").contains("into keyring");
            serial[0] = Integer.parseInt(e.getMessage().split(" ")[2]);
        });
        Optional<String[]> line = KernelTests.procKeys(serial[0]);
        assertThat(line.isEmpty() || line.get()[1].contains("R")).as("key %d is gone or revoked", serial[0]).isTrue();
    }

    @Test
    void sessionKeyringIsRefusedWhereThereIsNoneAndKeptWhereThereIsOne() throws Exception {
        // the worker has a session keyring of its own: @s holds the key for as long as that session lives
        String description = "ga-test:session" + ProcessHandle.current().pid();
        int key = inPrivateSession(() -> LogonKeys.add(description, secret(), KeyringId.SESSION, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO));
        assertThat(inPrivateSession(() -> KernelKeys.search(KeyringId.SESSION, LogonKeys.TYPE, description, 0))).isEqualTo(key);
        inPrivateSession(() -> {
            KernelKeys.unlink(key, KeyringId.SESSION);
            return null;
        });
        // a thread without one (this test JVM's others, when started outside a login session as CI is) is refused
        if (!KernelKeys.hasOwnSession()) {
            assertThatThrownBy(() -> LogonKeys.add(description, secret(), KeyringId.SESSION, KeyPermissions.POSSESSOR_ONLY, Duration.ZERO))
                    .isInstanceOfSatisfying(AttestationException.class, e -> assertThat(e.reason()).isEqualTo(Reason.INVALID_ARGUMENT))
                    .hasMessageContaining("no session keyring of its own");
        }
        assertThatThrownBy(() -> StagedKeys.requireOutlivesProcess(KeyringId.PROCESS)).hasMessageContaining("@p ends when this command exits");
    }
}
