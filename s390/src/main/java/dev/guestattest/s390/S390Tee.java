// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.guestattest.core.ProviderContext;
import dev.guestattest.core.pki.Pem;
import dev.guestattest.core.tee.EmulatorAnchors;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.VerifyOption;
import dev.guestattest.core.verify.EvidenceVerifier;
import dev.guestattest.core.verify.TeeRules;
import dev.guestattest.s390.abi.SecureExecutionMeasurement;
import dev.guestattest.s390.emulator.S390EmulatedProvider;
import dev.guestattest.s390.validate.SecureExecutionRules;
import dev.guestattest.s390.verify.SecureExecutionVerifier;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * IBM Secure Execution ({@code se} in Trustee): the verifier makes the request and keeps its
 * measurement key ({@code secret}) and the image's values ({@code image}); a guest never supplies them.
 */
public final class S390Tee implements Tee {
    private final EvidenceVerifier verifier = new SecureExecutionVerifier();

    @Override
    public String name() {
        return "s390";
    }

    @Override
    public Set<String> aliases() {
        return Set.of("se");
    }

    @Override
    public EvidenceVerifier verifier() {
        return verifier;
    }

    @Override
    public Set<String> verifierAux() {
        return Set.of("secret", "image");
    }

    @Override
    public Optional<TeeRules.Parser> rules() {
        return Optional.of(SecureExecutionRules::parse);
    }

    @Override
    public List<VerifyOption> verifyOptions() {
        return List.of(VerifyOption.evidence("s390", "RESPONSE", "A Secure Execution response (the JSON an s390/* provider writes)"),
                VerifyOption.aux("--secret", "FILE", "s390: the request's secret ('s390 request --secret')", "secret", true),
                VerifyOption.aux("--image", "FILE", "s390: the image's header values, JSON {pld, ald, tld, tag} (what 'emulator root"
                        + " --tee s390' prints)", "image", true),
                VerifyOption.rule("--config-uid", "HEX", "s390: the expected guest's config UID", "config_uid"));
    }

    @Override
    public Optional<EmulatorAnchors> emulatorAnchors(ProviderContext context) {
        S390EmulatedProvider p = S390EmulatedProvider.open(context);
        SecureExecutionMeasurement.ImageHeader img = p.ultravisor().image();
        ObjectNode n = new ObjectMapper().createObjectNode();
        n.put("host_key", Pem.encode("PUBLIC KEY", p.ultravisor().hostPublicKey().getEncoded()));
        n.putObject("image").put("pld", img.pageListDigest().hex()).put("ald", img.addressListDigest().hex())
                .put("tld", img.tweakListDigest().hex()).put("tag", img.tag().hex());
        return Optional.of(new EmulatorAnchors(List.of(), Map.of(), n.toPrettyString() + "\n",
                "host_key goes to 's390 request --host-key' (as PEM); this whole file to 'verify --s390 --image'", Map.of()));
    }
}
