// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.configfs;

import dev.guestattest.core.linux.Errno;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.Availability;
import dev.guestattest.core.Reason;
import dev.guestattest.core.ReportBlobs;
import dev.guestattest.core.ReportRequest;
import dev.guestattest.core.codec.Bytes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The real Linux path: one private configfs-tsm item per request (linux-abi.md §1, formats.md §9).
 * It makes the item, writes the inputs, checks the generation before and after reading the blobs,
 * and always removes the item, also on failure. Each errno becomes a typed reason.
 */
public final class ConfigfsReports {
    /** Retries when another writer changed a (supposedly private) item under us. */
    static final int ATTEMPTS = 3;
    private static final int TEXT_MAX = 4096;
    private static final AtomicLong SEQUENCE = new AtomicLong();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConfigfsIo io;
    private final Path root;
    private final String kernelProvider;

    /**
     * @param root the report directory, normally {@code /sys/kernel/config/tsm/report}
     * @param kernelProvider the {@code provider} value this backend expects, e.g. {@code tdx_guest}
     */
    public ConfigfsReports(ConfigfsIo io, Path root, String kernelProvider) {
        this.io = Objects.requireNonNull(io, "io");
        this.root = Objects.requireNonNull(root, "root");
        this.kernelProvider = Objects.requireNonNull(kernelProvider, "kernelProvider");
    }

    /**
     * What one private item showed of a report directory: it was made, its {@code provider} read
     * and it was removed again, for the provider is only visible inside an item. Nothing is written
     * to it, so no report is generated. {@link #probe()} and {@code guest-attest doctor} word it each
     * for their reader.
     *
     * @param item the item that was made (or that could not be)
     * @param provider its {@code provider} attribute, when it could be read
     * @param failed the step that failed, {@code mkdir} or {@code read provider}, and its errno
     * @param rmdirErrno the errno of removing the item, when that failed: the item lingers in the kernel
     */
    public record ProviderProbe(Path item, Optional<String> provider, Optional<Step> failed, OptionalInt rmdirErrno) {
        /** A step of the probe that failed, with the errno the kernel gave. */
        public record Step(String name, int errno) {
        }
    }

    /** Probes {@code root} through {@code io} with an item of its own (see {@link ProviderProbe}). */
    public static ProviderProbe probeProvider(ConfigfsIo io, Path root) {
        Path item = newItem(root);
        try {
            io.mkdir(item);
        } catch (ErrnoException e) {
            return new ProviderProbe(item, Optional.empty(), Optional.of(new ProviderProbe.Step("mkdir", e.errno())), OptionalInt.empty());
        }
        Optional<String> provider = Optional.empty();
        Optional<ProviderProbe.Step> failed = Optional.empty();
        try {
            provider = Optional.of(new String(io.read(item.resolve("provider"), TEXT_MAX), StandardCharsets.US_ASCII).strip());
        } catch (ErrnoException e) {
            failed = Optional.of(new ProviderProbe.Step("read provider", e.errno()));
        }
        OptionalInt rmdir = OptionalInt.empty();
        try {
            io.rmdir(item);
        } catch (ErrnoException e) {
            rmdir = OptionalInt.of(e.errno());
        }
        return new ProviderProbe(item, provider, failed, rmdir);
    }

    /**
     * Whether this backend can report here, as far as can be told without a quote: a private item's
     * {@code provider} must be this backend's ({@link #probeProvider}).
     */
    public Availability probe() {
        if (!io.exists(root)) {
            return Availability.no("configfs-tsm directory " + root + " not found (needs Linux 6.7+ in a TEE guest, configfs mounted)");
        }
        ProviderProbe p = probeProvider(io, root);
        if (p.failed().isPresent() && p.failed().get().name().equals("mkdir")) {
            AttestationException e = mkdirFailure(root, p.item(), p.failed().get().errno());
            return Availability.no(e.getMessage() + (e.reason() == Reason.PERMISSION_DENIED ? " (report items need root)" : ""));
        }
        if (p.rmdirErrno().isPresent()) {
            return Availability.no(mapped("rmdir " + p.item(), p.rmdirErrno().getAsInt()).getMessage());
        }
        if (p.failed().isPresent()) {
            return Availability.no(mapped(p.failed().get().name(), p.failed().get().errno()).getMessage());
        }
        String provider = p.provider().orElseThrow();
        return provider.equals(kernelProvider) ? Availability.yes("configfs-tsm at " + root + ", provider " + provider)
                : Availability.no("configfs-tsm at " + root + " is served by '" + provider + "', not " + kernelProvider);
    }

    private static Path newItem(Path root) {
        return root.resolve("guestattest-" + ProcessHandle.current().pid() + "-" + SEQUENCE.incrementAndGet()
                + "-" + HexFormat.of().toHexDigits(RANDOM.nextInt()));
    }

    public ReportBlobs generate(ReportRequest request) {
        AttestationException last = null;
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            try {
                return generateOnce(request);
            } catch (AttestationException e) {
                if (e.reason() != Reason.GENERATION_CHANGED) {
                    throw e;
                }
                last = e;
            }
        }
        throw last;
    }

    private ReportBlobs generateOnce(ReportRequest request) {
        Path item = newItem(root);
        mkdir(item);
        AttestationException failure = null;
        try {
            return fill(item, request);
        } catch (AttestationException e) {
            failure = e;
            throw e;
        } finally {
            try {
                io.rmdir(item);
            } catch (ErrnoException e) {
                AttestationException leak = mapped("rmdir " + item, e);
                if (failure != null) {
                    failure.addSuppressed(leak);
                } else {
                    throw leak;
                }
            }
        }
    }

    private ReportBlobs fill(Path item, ReportRequest request) {
        String provider = text(item, "provider");
        if (!provider.equals(kernelProvider)) {
            throw AttestationException.of(Reason.UNSUPPORTED, "provider: configfs-tsm is served by '" + provider
                    + "' but this backend needs '" + kernelProvider + "'; pick the provider for this TEE");
        }
        long expected = generation(item);
        write(item, "inblob", request.inblob().toArray());
        expected++;
        if (io.exists(item.resolve("privlevel"))) {
            write(item, "privlevel", ascii(Integer.toString(request.privlevel())));
            expected++;
        } else if (request.privlevel() != 0) {
            throw AttestationException.of(Reason.UNSUPPORTED, "privlevel: provider " + provider + " has no privilege levels");
        }
        if (request.serviceProvider().isPresent()) {
            writeOptional(item, "service_provider", ascii(request.serviceProvider().get()));
            expected++;
        }
        if (request.serviceGuid().isPresent()) {
            writeOptional(item, "service_guid", ascii(request.serviceGuid().get().toString()));
            expected++;
        }
        if (request.serviceManifestVersion() != 0) {
            writeOptional(item, "service_manifest_version", ascii(Long.toString(request.serviceManifestVersion())));
            expected++;
        }
        // An inblob store that failed at close() (EBUSY wrap guard) is invisible except here.
        checkGeneration(item, expected, "after writing the inputs");
        Bytes outblob = blob(item, "outblob");
        Bytes auxblob = optionalBlob(item, "auxblob");
        Bytes manifest = optionalBlob(item, "manifestblob");
        checkGeneration(item, expected, "after reading the outputs");
        if (outblob.length() == 0) {
            throw AttestationException.of(Reason.DEVICE_ERROR,
                    "outblob: " + provider + " returned empty evidence (older kernels' GetQuote failure); not using it");
        }
        return new ReportBlobs(outblob, auxblob, manifest);
    }

    private void mkdir(Path item) {
        try {
            io.mkdir(item);
        } catch (ErrnoException e) {
            throw mkdirFailure(root, item, e.errno());
        }
    }

    private static AttestationException mkdirFailure(Path root, Path item, int errno) {
        if (errno == Errno.ENOENT || errno == Errno.ENOTDIR) {
            return AttestationException.fromErrno(Reason.UNSUPPORTED, errno, "configfs-tsm: " + root
                    + " not found (needs Linux 6.7+ in a TEE guest with configfs mounted)");
        }
        if (errno == Errno.ENXIO) {
            return AttestationException.fromErrno(Reason.NO_PROVIDER, errno,
                    "configfs-tsm: no attestation provider is registered with the kernel (ENXIO on mkdir)");
        }
        return mapped("mkdir " + item, errno);
    }

    private void checkGeneration(Path item, long expected, String when) {
        long actual = generation(item);
        if (actual != expected) {
            throw AttestationException.of(Reason.GENERATION_CHANGED, "generation: expected " + expected + " " + when
                    + " but found " + actual + " (another writer, or a dropped inblob write)");
        }
    }

    private long generation(Path item) {
        String value = text(item, "generation");
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            throw AttestationException.of(Reason.DEVICE_ERROR, "generation: kernel returned non-numeric '" + value + "'");
        }
    }

    private String text(Path item, String attr) {
        try {
            return new String(io.read(item.resolve(attr), TEXT_MAX), StandardCharsets.US_ASCII).strip();
        } catch (ErrnoException e) {
            throw mapped("read " + attr, e);
        }
    }

    private Bytes blob(Path item, String attr) {
        try {
            return Bytes.of(io.read(item.resolve(attr), ReportBlobs.BLOB_MAX));
        } catch (ErrnoException e) {
            throw mapped("read " + attr, e);
        }
    }

    private Bytes optionalBlob(Path item, String attr) {
        return io.exists(item.resolve(attr)) ? blob(item, attr) : Bytes.EMPTY;
    }

    private void writeOptional(Path item, String attr, byte[] value) {
        if (!io.exists(item.resolve(attr))) {
            throw AttestationException.of(Reason.UNSUPPORTED, attr + ": not offered by this kernel or provider (needs Linux 6.10+ under an SVSM)");
        }
        write(item, attr, value);
    }

    private void write(Path item, String attr, byte[] value) {
        try {
            io.write(item.resolve(attr), value);
        } catch (ErrnoException e) {
            throw mapped("write " + attr, e);
        }
    }

    private static AttestationException mapped(String step, ErrnoException e) {
        return mapped(step, e.errno());
    }

    private static AttestationException mapped(String step, int errno) {
        return AttestationException.fromErrno(Errno.reason(errno), errno, "configfs-tsm " + step + ": " + Errno.explain(errno));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
