// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.broker.AdminJwt;
import dev.guestattest.broker.wire.Attestation;
import dev.guestattest.broker.wire.Wire;
import dev.guestattest.broker.wire.WireException;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.tee.Tee;
import dev.guestattest.core.tee.Tees;
import dev.guestattest.core.tee.TrusteeEvidence;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.verify.initdata.InitData;
import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * What a Confidential Containers guest sends the broker, and what an operator's kbs-client sends:
 * each TEE's guest-components evidence shape (read, and whatever reads also writes back to the same
 * evidence), the attest body, init-data, and an admin JWT.
 */
class TrusteeFuzzTest {
    private static final List<TrusteeEvidence> SHAPES = Tees.discover().all().stream().map(Tee::trusteeEvidence).flatMap(Optional::stream)
            .toList();
    private static final List<PublicKey> ADMIN_KEYS = adminKeys();

    private static List<PublicKey> adminKeys() {
        try {
            return List.of(KeyPairGenerator.getInstance("Ed25519").generateKeyPair().getPublic());
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void evidenceShapes(byte[] data) {
        JsonNode n;
        try {
            n = Json.tree("fuzz", data);
        } catch (dev.guestattest.core.AttestationException notJson) {
            return;
        }
        for (TrusteeEvidence shape : SHAPES) {
            Untrusted.parse(() -> {
                Evidence e = shape.read(n);
                Evidence again = shape.read(shape.write(e));
                if (!again.bytes().equals(e.bytes()) || !again.aux().equals(e.aux())) {
                    throw new AssertionError(shape.tee() + ": what reads does not write back to the same evidence");
                }
            });
        }
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void attestBody(byte[] data) {
        try {
            Attestation a = Attestation.fromJson(Wire.object(data, "fuzz"));
            a.teeEvidence().own();
            a.initData().ifPresent(i -> Untrusted.parse(() -> InitData.parse(i.format(), i.body())));
        } catch (WireException | dev.guestattest.core.AttestationException refused) {
            // the typed refusals of the wire
        }
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void initData(byte[] data) {
        Untrusted.parse(() -> InitData.parse("toml", new String(data, StandardCharsets.UTF_8)));
    }

    @FuzzTest(maxDuration = Campaign.DURATION)
    void adminToken(byte[] data) {
        if (AdminJwt.valid(new String(data, StandardCharsets.UTF_8), ADMIN_KEYS, System.currentTimeMillis())) {
            throw new AssertionError("a token no operator signed was taken as an admin credential");
        }
    }
}
