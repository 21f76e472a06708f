// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.device;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Availability;
import dev.guestattest.core.Reason;
import dev.guestattest.core.linux.Errno;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * One vendor device node behind a {@link CharDevice}: each {@link #exchange} opens it, runs one
 * request, and closes it, and every errno becomes an {@link AttestationException} here. A failed
 * close never replaces the request's own failure: it is attached to it as suppressed.
 */
public final class DeviceFile {
    private final CharDevice io;
    private final Path path;
    private final Optional<String> absent;

    /** A device whose errors carry the generic errno reasons. */
    public DeviceFile(CharDevice io, Path path) {
        this(io, path, Optional.empty());
    }

    /**
     * A device that explains its absence: ENOENT, ENXIO and ENODEV become UNSUPPORTED with
     * "device PATH not found: {@code absent}".
     *
     * @param absent what the device's absence means, e.g. {@code not a TDX guest, or the tdx_guest module is not loaded}
     */
    public DeviceFile(CharDevice io, Path path, String absent) {
        this(io, path, Optional.of(absent));
    }

    private DeviceFile(CharDevice io, Path path, Optional<String> absent) {
        this.io = Objects.requireNonNull(io, "io");
        this.path = Objects.requireNonNull(path, "path");
        this.absent = absent;
    }

    public Path path() {
        return path;
    }

    /** Whether the device node exists; what a provider's probe checks. */
    public boolean present() {
        return Files.exists(path);
    }

    /** A probe's answer for a device node: "PATH present", or "PATH not found (absent)". */
    public static Availability presence(Path device, String absent) {
        return Files.exists(device) ? usable(device) : Availability.no(device + " not found (" + absent + ")");
    }

    /** A probe's answer for a device node whose absence needs no explanation. */
    public static Availability presence(Path device) {
        return Files.exists(device) ? usable(device) : Availability.no(device + " not found");
    }

    /** A present node is available only if this user may open it for reading and writing, as every request does. */
    private static Availability usable(Path device) {
        if (Files.isReadable(device) && Files.isWritable(device)) {
            return Availability.yes(device + " present, readable and writable");
        }
        return Availability.no(device + " present but this user cannot open it read-write (run as root, or join the group that owns it)");
    }

    /** {@link #exchange(String, Function)} with an open failure named {@code open PATH}. */
    public <T> T exchange(Function<CharDevice.Handle, T> request) {
        return exchange("open " + path, request);
    }

    /**
     * Opens the device, runs {@code request} on it and closes it. A {@link SyscallException} the
     * request lets through is mapped like any other; a failed close is the failure only when the
     * request succeeded.
     *
     * @param openStep how a failed open is named in the message, e.g. {@code open /dev/sev-guest}
     */
    public <T> T exchange(String openStep, Function<CharDevice.Handle, T> request) {
        CharDevice.Handle handle;
        try {
            handle = io.open(path);
        } catch (SyscallException e) {
            throw failure(openStep, e.errno());
        }
        T result;
        try {
            result = request.apply(handle);
        } catch (SyscallException e) {
            AttestationException primary = failure(e.call(), e.errno());
            closeAfter(handle, primary);
            throw primary;
        } catch (RuntimeException | Error primary) {
            closeAfter(handle, primary);
            throw primary;
        }
        try {
            handle.close();
        } catch (SyscallException e) {
            throw failure("close " + path, e.errno());
        }
        return result;
    }

    /** The public failure for {@code errno} at {@code step}: "{@code step}: explanation", with the errno's reason. */
    public AttestationException failure(String step, int errno) {
        if (absent.isPresent() && (errno == Errno.ENOENT || errno == Errno.ENXIO || errno == Errno.ENODEV)) {
            return AttestationException.fromErrno(Reason.UNSUPPORTED, errno, "device " + path + " not found: " + absent.get());
        }
        return AttestationException.fromErrno(Errno.reason(errno), errno, step + ": " + Errno.explain(errno));
    }

    private void closeAfter(CharDevice.Handle handle, Throwable primary) {
        try {
            handle.close();
        } catch (SyscallException e) {
            primary.addSuppressed(failure("close " + path, e.errno()));
        } catch (RuntimeException e) {
            primary.addSuppressed(e);
        }
    }
}
