// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core;

import dev.guestattest.core.codec.Bytes;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The inputs of one report, as the configfs-tsm item holds them (linux-abi.md §1.2-1.3).
 *
 * @param inblob caller data bound into the evidence, 0..64 bytes (providers may demand an exact length)
 * @param privlevel privilege level 0..3 (SEV-SNP VMPL); must also be at least the provider's floor
 * @param serviceProvider service provider name ("svsm"), when attesting an SVSM service
 * @param serviceGuid the service to attest; the null GUID means all services
 * @param serviceManifestVersion the service manifest version, an unsigned 32-bit integer
 */
public record ReportRequest(Bytes inblob, int privlevel, Optional<String> serviceProvider,
                            Optional<UUID> serviceGuid, long serviceManifestVersion) {
    public static final int INBLOB_MAX = 64;
    public static final int PRIVLEVEL_MAX = 3;
    public static final long MANIFEST_VERSION_MAX = 0xffff_ffffL;
    static final int SERVICE_PROVIDER_MAX = 255;

    public ReportRequest {
        Objects.requireNonNull(inblob, "inblob");
        Objects.requireNonNull(serviceProvider, "serviceProvider");
        Objects.requireNonNull(serviceGuid, "serviceGuid");
        if (inblob.length() > INBLOB_MAX) {
            throw AttestationException.tooLarge("inblob", inblob.length(), INBLOB_MAX);
        }
        if (privlevel < 0 || privlevel > PRIVLEVEL_MAX) {
            throw AttestationException.invalid("privlevel", privlevel + " is outside 0.." + PRIVLEVEL_MAX);
        }
        serviceProvider.ifPresent(ReportRequest::checkServiceProvider);
        if (serviceManifestVersion < 0 || serviceManifestVersion > MANIFEST_VERSION_MAX) {
            throw AttestationException.invalid("service_manifest_version",
                    serviceManifestVersion + " is outside 0.." + MANIFEST_VERSION_MAX);
        }
    }

    private static void checkServiceProvider(String name) {
        if (name.isEmpty() || name.length() > SERVICE_PROVIDER_MAX) {
            throw AttestationException.invalid("service_provider", "must be 1.." + SERVICE_PROVIDER_MAX + " characters");
        }
        for (char c : name.toCharArray()) {
            if (c < 0x21 || c > 0x7e) {
                throw AttestationException.invalid("service_provider", "must be printable ASCII without spaces");
            }
        }
    }

    /** A request with only caller data, at privilege level 0. */
    public static ReportRequest of(byte[] inblob) {
        return builder().inblob(inblob).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.inblob = inblob;
        b.privlevel = privlevel;
        b.serviceProvider = serviceProvider;
        b.serviceGuid = serviceGuid;
        b.serviceManifestVersion = serviceManifestVersion;
        return b;
    }

    /** True when any SVSM service field is set. */
    public boolean hasServiceFields() {
        return serviceProvider.isPresent() || serviceGuid.isPresent() || serviceManifestVersion != 0;
    }

    public static final class Builder {
        private Bytes inblob = Bytes.EMPTY;
        private int privlevel;
        private Optional<String> serviceProvider = Optional.empty();
        private Optional<UUID> serviceGuid = Optional.empty();
        private long serviceManifestVersion;

        private Builder() {
        }

        public Builder inblob(byte[] value) {
            this.inblob = Bytes.of(value);
            return this;
        }

        public Builder inblob(Bytes value) {
            this.inblob = Objects.requireNonNull(value, "inblob");
            return this;
        }

        public Builder privlevel(int value) {
            this.privlevel = value;
            return this;
        }

        public Builder serviceProvider(String value) {
            this.serviceProvider = Optional.of(value);
            return this;
        }

        public Builder serviceGuid(UUID value) {
            this.serviceGuid = Optional.of(value);
            return this;
        }

        public Builder serviceManifestVersion(long value) {
            this.serviceManifestVersion = value;
            return this;
        }

        public ReportRequest build() {
            return new ReportRequest(inblob, privlevel, serviceProvider, serviceGuid, serviceManifestVersion);
        }
    }
}
