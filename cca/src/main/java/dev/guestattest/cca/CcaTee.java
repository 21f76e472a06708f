// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.cca;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.cca.abi.CcaTrusteeEvidence;
import dev.guestattest.cca.emulator.EmulatedRealm;
import dev.guestattest.cca.validate.CcaRules;
import dev.guestattest.cca.verify.CcaEvidenceVerifier;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.TeeRules;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.interfaces.ECPublicKey;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Arm CCA: tokens verified to a CPAK the verifier trusts (aux {@code cpak}, never the guest's);
 * platform and realm reference values as rules of its own; the emulator's CPAK as a veraison trust anchor.
 */
public final class CcaTee implements Tee {
    private final EvidenceVerifier verifier = new CcaEvidenceVerifier();

    @Override
    public Optional<TrusteeEvidence> trusteeEvidence() {
        return Optional.of(new CcaTrusteeEvidence());
    }

    @Override
    public String name() {
        return "cca";
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public Set<String> verifierAux() {
        return Set.of("cpak");
    }

    @Override
    public Optional<TeeRules.Parser> rules() {
        return Optional.of(CcaRules::parse);
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        EmulatedRealm realm = EmulatedRealm.open(context);
        ECPublicKey k = realm.cpak();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        ArrayNode a = new ObjectMapper().createArrayNode();
        ObjectNode ta = a.addObject();
        ta.putObject("pkey").put("kty", "EC").put("crv", "P-384").put("x", b64.encodeToString(fixed48(k.getW().getAffineX())))
                .put("y", b64.encodeToString(fixed48(k.getW().getAffineY())));
        ta.put("instance-id", realm.instanceId().hex()).put("implementation-id", realm.implementationId().hex());
        return Optional.of(new EmulatorAnchors(List.of(), Map.of("cpak", Bytes.of(Pem.encode("PUBLIC KEY", k.getEncoded())
                .getBytes(StandardCharsets.US_ASCII))), a.toPrettyString() + "\n",
                "the emulated CPAK as a trust anchor: pass this file to verify --cca --cpak", Map.of("reference-values",
                realm.referenceValuesJson())));
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("cca", "TOKEN", "An Arm CCA attestation token (CBOR)"),
                VerifyOption.aux("--cpak", "FILE", "CCA: the trusted CPAK, a JWK or veraison trust-anchor JSON (what 'emulator root --tee cca'"
                        + " prints)", "cpak", false),
                VerifyOption.ruleFile("--reference-values", "FILE", "CCA: appraise the platform and realm against these reference values"
                        + " (veraison rv.json)", "reference_values"));
    }

    private static byte[] fixed48(BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[48];
        int n = Math.min(b.length, 48);
        System.arraycopy(b, b.length - n, out, 48 - n, n);
        return out;
    }
}
