// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.s390.validate;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.codec.Bytes;
import dev.guestattest.core.codec.Json;
import dev.guestattest.core.verify.Evidence;
import dev.guestattest.core.verify.TeeRules;
import dev.guestattest.s390.abi.AttestationResponse;
import java.util.List;
import java.util.Optional;

/** Secure Execution's own rule (the policy's {@code tee_rules.s390}): the guest's configuration UID. */
public record SecureExecutionRules(Optional<Bytes> configUid) implements TeeRules {
    private record Section(String configUid) {
    }

    public static SecureExecutionRules parse(String where, JsonNode section) {
        Section s = Json.section(where, section, Section.class);
        return new SecureExecutionRules(Optional.ofNullable(s.configUid()).map(h -> Bytes.fromHex(where + ".config_uid", h)));
    }

    @Override
    public List<Finding> judge(Evidence evidence) {
        if (configUid.isEmpty()) {
            return List.of();
        }
        Bytes actual = AttestationResponse.fromJson(evidence.bytes().toArray()).configUid();
        boolean ok = configUid.get().equals(actual);
        return List.of(Finding.of(Affects.INSTANCE, "config_uid", ok, ok ? "the expected guest" : "is " + actual.hex() + ", expected "
                + configUid.get().hex()));
    }
}
