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
     * Whether this backend can report here, as far as can be told without a quote: the provider is
     * only known inside an item, so the probe makes one, reads its {@code provider} and removes it.
     */
    public Availability probe() {
        if (!io.exists(root)) {
            return Availability.no("configfs-tsm directory " + root + " not found (needs Linux 6.7+ in a TEE guest, configfs mounted)");
        }
        Path item = newItem();
        try {
            mkdir(item);
        } catch (AttestationException e) {
            return Availability.no(e.getMessage() + (e.reason() == Reason.PERMISSION_DENIED ? " (report items need root)" : ""));
        }
        Availability answer;
        try {
            String provider = text(item, "provider");
            answer = provider.equals(kernelProvider) ? Availability.yes("configfs-tsm at " + root + ", provider " + provider)
                    : Availability.no("configfs-tsm at " + root + " is served by '" + provider + "', not " + kernelProvider);
        } catch (AttestationException e) {
            answer = Availability.no(e.getMessage());
        }
        try {
            io.rmdir(item);
        } catch (ErrnoException e) {
            return Availability.no(mapped("rmdir " + item, e).getMessage());
        }
        return answer;
    }

    private Path newItem() {
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
        Path item = newItem();
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
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                throw AttestationException.fromErrno(Reason.UNSUPPORTED, e.errno(), "configfs-tsm: " + root
                        + " not found (needs Linux 6.7+ in a TEE guest with configfs mounted)");
            }
            if (e.errno() == Errno.ENXIO) {
                throw AttestationException.fromErrno(Reason.NO_PROVIDER, e.errno(),
                        "configfs-tsm: no attestation provider is registered with the kernel (ENXIO on mkdir)");
            }
            throw mapped("mkdir " + item, e);
        }
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
        return AttestationException.fromErrno(Errno.reason(e.errno()), e.errno(), "configfs-tsm " + step + ": " + Errno.explain(e.errno()));
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
