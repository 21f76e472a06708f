// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.keys.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A small ext4 filesystem with the {@code encrypt} feature in an image file, loop-mounted for one
 * test and unmounted (detaching its loop device) on close.
 */
public final class LoopExt4 implements AutoCloseable {
    private final Path image;
    private final Path mountPoint;
    private boolean mounted;

    private LoopExt4(Path image, Path mountPoint) {
        this.image = image;
        this.mountPoint = mountPoint;
    }

    /** Makes a {@code mib} MiB image under {@code work} and mounts it; skips or fails as {@link KernelTests} says. */
    public static LoopExt4 create(Path work, int mib) throws java.io.IOException {
        KernelTests.require("a loop-mounted ext4", "/dev/loop-control", "/usr/sbin/mkfs.ext4", "/usr/bin/mount", "/usr/bin/umount");
        Path image = work.resolve("ext4.img");
        Path mnt = Files.createDirectories(work.resolve("mnt"));
        KernelTests.run(List.of("truncate", "-s", mib + "M", image.toString()));
        KernelTests.run(List.of("/usr/sbin/mkfs.ext4", "-q", "-F", "-O", "encrypt", image.toString()));
        LoopExt4 fs = new LoopExt4(image, mnt);
        fs.mount();
        return fs;
    }

    public Path root() {
        return mountPoint;
    }

    public Path image() {
        return image;
    }

    public void mount() {
        KernelTests.run(List.of("/usr/bin/mount", "-o", "loop", image.toString(), mountPoint.toString()));
        mounted = true;
    }

    /** Unmounts, so that the image holds everything written and the kernel forgets every added key. */
    public void unmount() {
        if (mounted) {
            KernelTests.run(List.of("/usr/bin/umount", mountPoint.toString()));
            mounted = false;
        }
    }

    @Override
    public void close() {
        unmount();
    }
}
