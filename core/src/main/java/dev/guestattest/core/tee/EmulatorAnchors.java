// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.tee;

import dev.guestattest.core.codec.Bytes;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Map;

/**
 * An emulator's trust anchors: extra roots for the verifier (TDX root CA, SNP ARK with its
 * intermediates, CoVE DICE root), aux parts a verifier supplies itself (CCA's CPAK), and the
 * anchor as {@code emulator root} prints it with a one-line hint of where it goes. {@code extras}
 * are further documents the emulator can state about itself (CCA's reference values).
 */
public record EmulatorAnchors(List<X509Certificate> roots, Map<String, Bytes> trustedAux, String printed, String hint,
                              Map<String, byte[]> extras) {
    public EmulatorAnchors {
        roots = List.copyOf(roots);
        trustedAux = Map.copyOf(trustedAux);
        extras = Map.copyOf(extras);
    }

    public static EmulatorAnchors ofRoots(List<X509Certificate> roots, String printed, String hint) {
        return new EmulatorAnchors(roots, Map.of(), printed, hint, Map.of());
    }
}
