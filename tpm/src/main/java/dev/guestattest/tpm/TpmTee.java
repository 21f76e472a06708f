// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm;

import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.tpm.abi.TpmTrusteeEvidence;
import dev.guestattest.tpm.verify.TpmEvidenceVerifier;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** TPM 2.0 quotes: the AK is pinned by the verifier (aux {@code ak}), never taken from the guest; swtpm is a real TPM, not an emulator here. */
public final class TpmTee implements Tee {
    private final EvidenceVerifier verifier = new TpmEvidenceVerifier();

    @Override
    public String name() {
        return "tpm";
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    /** guest-components' TPM evidence; its {@code ak_public} is carried, never trusted: the pin stays the verifier's. */
    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new TpmTrusteeEvidence());
    }

    /** guest-components' form ({@code tpm.evidence=guest-components}) unless the caller chose a form. */
    @Override
    public ProviderContext trusteeSettings(ProviderContext context) {
        return context.setting(TpmProviders.EVIDENCE).isPresent() ? context
                : context.withSetting(TpmProviders.EVIDENCE, TpmProvider.Form.GUEST_COMPONENTS.label());
    }

    @Override
    public Set<String> verifierAux() {
        return Set.of("ak");
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        return Optional.empty();
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("tpm", "EVIDENCE", "TPM evidence (the JSON a tpm/* provider writes)"),
                VerifyOption.aux("--ak", "FILE", "TPM: the pinned AK's public area (TPMT_PUBLIC, binary: what appraise --aux ak=FILE"
                        + " takes); without it a quote is never trusted, since any software key can sign one", "ak", false));
    }
}
