// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.ar4si;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An AR4SI trustworthiness vector: one int8 per category, 0 = no claim. The status is the worst
 * tier among the categories that make a claim (none when none does).
 */
public record TrustVector(int instanceIdentity, int configuration, int executables, int fileSystem, int hardware, int runtimeOpaque,
                          int storageOpaque, int sourcedData) {
    public static final TrustVector NO_CLAIMS = new TrustVector(0, 0, 0, 0, 0, 0, 0, 0);

    /** Common values (formats.md §8). */
    public static final int TRUSTWORTHY_INSTANCE = 2;
    public static final int UNTRUSTWORTHY_INSTANCE = 96;
    public static final int UNRECOGNIZED_INSTANCE = 97;
    public static final int UNEXPECTED_EVIDENCE = 1;
    public static final int APPROVED_CONFIG = 2;
    public static final int UNSAFE_CONFIG = 32;
    public static final int UNSUPPORTABLE_CONFIG = 96;
    public static final int APPROVED_RUNTIME = 2;
    public static final int APPROVED_BOOT = 3;
    public static final int UNRECOGNIZED_EXECUTABLES = 33;
    public static final int GENUINE_HARDWARE = 2;
    public static final int UNSAFE_HARDWARE = 32;
    public static final int CONTRAINDICATED_HARDWARE = 96;
    public static final int ENCRYPTED_MEMORY = 2;
    public static final int CRYPTO_VALIDATION_FAILED = 99;

    public Tier status() {
        Tier worst = Tier.NONE;
        for (int v : values().values()) {
            Tier t = Tier.of(v);
            if (t.compareTo(worst) > 0) {
                worst = t;
            }
        }
        return worst;
    }

    /** The categories by their EAR JSON names, in AR4SI order. */
    public Map<String, Integer> values() {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("instance-identity", instanceIdentity);
        m.put("configuration", configuration);
        m.put("executables", executables);
        m.put("file-system", fileSystem);
        m.put("hardware", hardware);
        m.put("runtime-opaque", runtimeOpaque);
        m.put("storage-opaque", storageOpaque);
        m.put("sourced-data", sourcedData);
        return m;
    }

    public TrustVector withInstanceIdentity(int v) {
        return new TrustVector(v, configuration, executables, fileSystem, hardware, runtimeOpaque, storageOpaque, sourcedData);
    }

    public TrustVector withConfiguration(int v) {
        return new TrustVector(instanceIdentity, v, executables, fileSystem, hardware, runtimeOpaque, storageOpaque, sourcedData);
    }

    public TrustVector withExecutables(int v) {
        return new TrustVector(instanceIdentity, configuration, v, fileSystem, hardware, runtimeOpaque, storageOpaque, sourcedData);
    }

    public TrustVector withHardware(int v) {
        return new TrustVector(instanceIdentity, configuration, executables, fileSystem, v, runtimeOpaque, storageOpaque, sourcedData);
    }

    public TrustVector withRuntimeOpaque(int v) {
        return new TrustVector(instanceIdentity, configuration, executables, fileSystem, hardware, v, storageOpaque, sourcedData);
    }
}
