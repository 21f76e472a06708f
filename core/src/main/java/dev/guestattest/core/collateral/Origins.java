// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.collateral;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The collateral services to fetch from, by name: {@code pcs} (Intel PCS API v4 or any PCCS),
 * {@code kds} (AMD KDS). An origin that is absent is never contacted.
 */
public record Origins(Map<String, URI> bases) {
    public static final String PCS = "pcs";
    public static final String KDS = "kds";
    public static final URI INTEL_PCS = URI.create("https://api.trustedservices.intel.com");
    public static final URI AMD_KDS = URI.create("https://kdsintf.amd.com");

    public Origins {
        for (Map.Entry<String, URI> e : bases.entrySet()) {
            String scheme = e.getValue().getScheme();
            if (!"https".equals(scheme) && !"http".equals(scheme)) {
                throw dev.guestattest.core.AttestationException.invalid(e.getKey() + " URL", e.getValue() + " is not an http(s) URL");
            }
        }
        bases = Map.copyOf(bases);
    }

    /** Intel's and AMD's public services. */
    public static Origins vendors() {
        return new Origins(Map.of(PCS, INTEL_PCS, KDS, AMD_KDS));
    }

    /** None: collateral comes only from caches, directories and the evidence itself. */
    public static Origins none() {
        return new Origins(Map.of());
    }

    public Optional<URI> base(String name) {
        return Optional.ofNullable(bases.get(name));
    }

    /** These origins with {@code name} at {@code base}. */
    public Origins with(String name, URI base) {
        Map<String, URI> m = new LinkedHashMap<>(bases);
        m.put(name, base);
        return new Origins(m);
    }

    /** {@code path} (with its query) under the origin's base; a base path prefix is kept (a PCCS under /pccs). */
    public static URI resolve(URI base, String path) {
        String b = base.toString();
        return URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b) + path);
    }
}
