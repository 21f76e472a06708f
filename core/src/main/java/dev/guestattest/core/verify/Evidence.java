// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.verify;

import dev.guestattest.core.codec.Bytes;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Evidence to appraise: its bytes, the format when the caller knows it (else detected from the
 * bytes), and its named auxiliary parts, such as {@code collateral} (TDX), {@code certs} (SNP
 * certificate table or VCEK) or {@code cpak} (CCA).
 */
public record Evidence(Optional<String> format, Bytes bytes, Map<String, Bytes> aux) {
    public Evidence {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(bytes, "bytes");
        aux = Map.copyOf(aux);
    }

    public static Evidence of(Bytes bytes, Map<String, Bytes> aux) {
        return new Evidence(Optional.empty(), bytes, aux);
    }

    public Optional<Bytes> aux(String name) {
        return Optional.ofNullable(aux.get(name));
    }
}
