// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.tpm.azure;

import dev.guestattest.core.AttestationException;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.crypto.Signatures;
import dev.guestattest.core.mr.HashAlgorithm;
import dev.guestattest.core.verify.Check;
import dev.guestattest.tpm.abi.Tpm2;
import dev.guestattest.tpm.abi.TpmAttest;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The checks on an Azure CVM's vTPM quote that do not depend on the hardware under it, shared by
 * az-snp-vtpm and az-tdx-vtpm as Trustee shares them (trustee 78962cd4
 * {@code deps/verifier/src/az_snp_vtpm/mod.rs} {@code verify_tpm_signature}, {@code verify_tpm_pcrs},
 * {@code verify_user_data}, which {@code az_tdx_vtpm/mod.rs} imports).
 */
final class VtpmQuoteChecks {
    private VtpmQuoteChecks() {
    }

    /** The quote (the marshalled TPMS_ATTEST) signed by the HCL's AK: RSASSA-PKCS1-v1_5 over SHA-256, the raw signature. */
    static Check signature(Bytes hclReport, Bytes message, Bytes signature) {
        try {
            return Signatures.rsaPkcs1Sha256(new HclReport(hclReport).attestationKey(), message.toArray(), signature.toArray())
                    ? Check.pass("tpm.quote.signature", "signed by the HCL AK (RSASSA-PKCS1-v1_5)")
                    : Check.fail("tpm.quote.signature", "does not verify with the HCL AK");
        } catch (AttestationException e) {
            return Check.fail("tpm.quote.signature", "cannot be checked: " + e.getMessage());
        }
    }

    /** SHA-256 of the quoted PCRs' supplied values, in selection order, is the quote's pcrDigest. */
    static Check pcrDigest(TpmAttest attest, List<Bytes> pcrs) {
        ByteArrayOutputStream selected = new ByteArrayOutputStream();
        for (int pcr : attest.pcrSelection().pcrs()) {
            if (pcr >= pcrs.size()) {
                return Check.fail("tpm.quote.pcr_digest", "PCR " + pcr + " is quoted but not supplied");
            }
            selected.writeBytes(pcrs.get(pcr).toArray());
        }
        return Bytes.of(HashAlgorithm.SHA256.hash(selected.toByteArray())).equals(attest.pcrDigest())
                ? Check.pass("tpm.quote.pcr_digest", "the " + attest.pcrSelection().pcrs().size() + " supplied PCRs are the quoted ones")
                : Check.fail("tpm.quote.pcr_digest", "the supplied PCRs do not hash to the quoted digest");
    }

    /** The quote must cover exactly the PCRs supplied, of the SHA-256 bank: an unquoted value must not become a claim. */
    static Check selection(TpmAttest attest, int supplied) {
        SortedSet<Integer> expected = IntStream.range(0, supplied).boxed().collect(Collectors.toCollection(TreeSet::new));
        if (attest.pcrSelection().hashAlg() != Tpm2.ALG_SHA256) {
            return Check.fail("tpm.quote.pcr_selection", String.format("the quote selects bank 0x%04x, not SHA-256",
                    attest.pcrSelection().hashAlg()));
        }
        return attest.pcrSelection().pcrs().equals(expected)
                ? Check.pass("tpm.quote.pcr_selection", "the quote selects the " + supplied + " supplied SHA-256 PCRs")
                : Check.fail("tpm.quote.pcr_selection", "the quote selects PCRs " + attest.pcrSelection().pcrs() + ", the evidence supplies 0.."
                + (supplied - 1));
    }

    /**
     * The runtime claims' {@code user-data} (hex) must start with the quote's nonce, as Trustee's
     * {@code verify_user_data} requires of the expected report data (which the nonce must equal).
     * Trustee checks it for V2 only; here also whenever the user-data is not all zero (V1 HCL reports
     * carry zeros), since {@code version} is not signed: relabelling V2 evidence as V1 must not skip it.
     * {@code hardware} names what the HCL report's binding makes fresh (the SNP report, the TD quote).
     */
    static Optional<Check> userData(Bytes hclReport, Bytes nonce, boolean required, String hardware) {
        Optional<Bytes> found;
        try {
            found = new HclReport(hclReport).userData();
        } catch (AttestationException x) {
            return Optional.of(Check.fail("hcl.user_data", "cannot be checked: " + x.getMessage()));
        }
        if (found.isEmpty()) {
            return required ? Optional.of(Check.fail("hcl.user_data", "the runtime claims of V2 evidence carry no user-data")) : Optional.empty();
        }
        Bytes user = found.get();
        if (!required && user.isZero()) {
            return Optional.empty();
        }
        return Optional.of(user.length() >= nonce.length() && Arrays.equals(Arrays.copyOf(user.toArray(), nonce.length()), nonce.toArray())
                ? Check.pass("hcl.user_data", "the runtime claims' user-data starts with the quote's nonce")
                : Check.fail("hcl.user_data", "the runtime claims' user-data does not start with the quote's nonce: the " + hardware
                + " was not made for this request"));
    }
}
