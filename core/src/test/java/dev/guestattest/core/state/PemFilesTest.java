// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {
    private static final Set<PosixFilePermission> GROUP_OR_OTHER = EnumSet.of(PosixFilePermission.GROUP_READ,
            PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);

    @TempDir
    Path tmp;

    private static KeyPair ecKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    /**
     * The attack: another user polls the state directory and reads a private key in the moment it
     * exists but is not yet 0600. Under umask 000 every file is created with the mode its open asks
     * for, so a write that creates with the default mode and chmods afterwards shows 0666 here.
     */
    @Test
    void aWatcherNeverSeesAPrivateKeyFileOthersCouldRead() throws Exception {
        Path dir = tmp.resolve("state");
        PemFiles.ensureDirectory(dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // the watcher must be able to look in
        Path key = dir.resolve("cpak.key");
        KeyPair k = ecKey();
        Map<String, Set<PosixFilePermission>> exposed = new ConcurrentHashMap<>();
        AtomicInteger seenTemporary = new AtomicInteger();
        AtomicBoolean done = new AtomicBoolean();
        Thread watcher = new Thread(() -> {
            while (!done.get()) {
                try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                    for (Path p : s) {
                        try {
                            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS);
                            if (!p.equals(key)) {
                                seenTemporary.incrementAndGet();
                            }
                            if (!java.util.Collections.disjoint(mode, GROUP_OR_OTHER)) {
                                exposed.put(p.getFileName().toString(), mode);
                            }
                        } catch (NoSuchFileException renamedMeanwhile) {
                            // the temporary file became the key between listing and stat
                        }
                    }
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        watcher.start();
        try {
            Umask.with(0, () -> {
                for (int i = 0; i < 200; i++) {
                    PemFiles.writePrivateKey(key, k.getPrivate());
                }
                return null;
            });
        } finally {
            done.set(true);
            watcher.join();
        }
        assertThat(seenTemporary).as("the watcher saw temporary files, so it could have seen an exposed one").hasPositiveValue();
        assertThat(exposed).as("files another user could have read").isEmpty();
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            assertThat(s).extracting(p -> p.getFileName().toString()).containsExactly("cpak.key"); // no temporary file left
        }
    }

    @Test
    void aKeyReplacingAWorldReadableFileIsOwnerOnlyAndReadsBack() throws Exception {
        Path key = tmp.resolve("ark.key");
        Files.writeString(key, "an old key, world-readable");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-r--r--"));
        KeyPair k = ecKey();
        Umask.with(0, () -> {
            PemFiles.writePrivateKey(key, k.getPrivate());
            return null;
        });
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        assertThat(PemFiles.readPrivateKey(key)).isEqualTo(k.getPrivate());
    }

    @Test
    void stateDirectoriesAreCreatedOwnerOnlyEvenUnderUmask000() throws Exception {
        Path deep = tmp.resolve("home/.guest-attest/cca");
        Umask.with(0, () -> {
            PemFiles.ensureDirectory(deep);
            return null;
        });
        for (Path d = deep; !d.equals(tmp); d = d.getParent()) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(d))).as(d.toString()).isEqualTo("rwx------");
        }
    }

    @Test
    void anExistingDirectoryIsLeftAsItIs() throws Exception {
        Path shared = Files.createDirectory(tmp.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-x---"));
        PemFiles.ensureDirectory(shared); // e.g. --state-dir /tmp must not be chmod'ed
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(shared))).isEqualTo("rwxr-x---");
    }

    @Test
    void aFailedWriteLeavesNeitherATemporaryFileNorAChangedTarget() throws Exception {
        Path target = Files.createDirectory(tmp.resolve("a-directory"));
        Files.writeString(target.resolve("inside"), "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PemFiles.writeAtomically(target, new byte[] {1}, true))
                .isInstanceOfSatisfying(dev.guestattest.core.AttestationException.class,
                        e -> assertThat(e.reason()).isEqualTo(dev.guestattest.core.Reason.IO_ERROR))
                .hasMessageContaining("cannot write " + target);
        try (DirectoryStream<Path> s = Files.newDirectoryStream(tmp)) {
            assertThat(s).extracting(p -> p.getFileName().toString()).containsExactly("a-directory");
        }
    }
}
