// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cli.doctor;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The TEEs doctor knows, with the configfs-tsm {@code provider} each one's Linux driver registers (linux-abi.md §1.2). */
public enum Tee {
    TDX(Optional.of("tdx_guest")), SNP(Optional.of("sev_guest")), CCA(Optional.of("arm_cca_guest")), S390(Optional.empty()),
    TPM(Optional.empty()), COVE(Optional.empty());

    private final Optional<String> kernelProvider;

    Tee(Optional<String> kernelProvider) {
        this.kernelProvider = kernelProvider;
    }

    /** The {@code provider} attribute configfs-tsm shows for this TEE; empty where it has no configfs-tsm provider. */
    public Optional<String> kernelProvider() {
        return kernelProvider;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Tee> parse(String s) {
        return Arrays.stream(values()).filter(t -> t.id().equals(s.toLowerCase(Locale.ROOT))).findFirst();
    }

    static Optional<Tee> ofKernelProvider(String provider) {
        return Arrays.stream(values()).filter(t -> t.kernelProvider.equals(Optional.of(provider))).findFirst();
    }

    public static String ids() {
        return Arrays.stream(values()).map(Tee::id).collect(Collectors.joining(", "));
    }
}
