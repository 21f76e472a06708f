// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/**
 * An Azure TDX confidential VM's evidence as guest-components sends it, kbs-types tee
 * {@code az-tdx-vtpm} (guest-components 8246e5e0 {@code attestation-agent/attester/src/az_tdx_vtpm/mod.rs};
 * trustee 78962cd4 {@code deps/verifier/src/az_tdx_vtpm/compat.rs}); the shape is {@link AzTdxVtpmEvidence}'s.
 *
 * <p>This project's form of the evidence (format {@code az-tdx-vtpm}) is that JSON itself, V2 or V1,
 * as serde writes it (compact, struct order), so reading it back and forth is exact. The guest sends
 * no collateral: the verifier fetches the TD quote's from the PCS, as Trustee does.
 *
 * <p>The attester passes the runtime-data digest to the vTPM unpadded
 * ({@code get_report_with_report_data(report_data)} and the quote over it): it is the quote's
 * extraData and the prefix of the HCL runtime claims' {@code user-data}.
 */
public final class AzTdxVtpmTrusteeEvidence implements TrusteeEvidence {
    public static final String TEE = "az-tdx-vtpm";

    @Override
    public String tee() {
        return TEE;
    }

    @Override
    public Evidence read(JsonNode primary) {
        return new Evidence(Optional.of(TEE), Bytes.of(AzTdxVtpmEvidence.parse(primary).json().toString().getBytes(StandardCharsets.UTF_8)),
                Map.of());
    }

    @Override
    public JsonNode write(Evidence e) {
        if (!e.aux().isEmpty()) {
            throw AttestationException.invalid("evidence aux part " + e.aux().keySet().iterator().next(),
                    "guest-components' az-tdx-vtpm evidence has no place for it; a Trustee fetches the TD quote's collateral itself");
        }
        return AzTdxVtpmEvidence.parse(Json.tree("az-tdx-vtpm evidence", e.bytes().toArray())).json();
    }

    /** The digest itself: the attester quotes it unpadded, and Trustee compares the nonce with it exactly. */
    @Override
    public Bytes reportData(Bytes digest) {
        return digest;
    }
}
