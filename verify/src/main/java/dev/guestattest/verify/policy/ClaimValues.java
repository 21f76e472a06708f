// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.verify.policy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.guestattest.core.AttestationException;
import java.util.Map;
import java.util.Optional;

/**
 * Values a policy requires of JSON claims, each addressed by JSON pointer ({@code
 * /aa.toml/token_configs/kbs/url}) and compared as text; a table is never a value. One reading serves
 * the appraisal policy's {@code init_data.claims} and the broker's resource rules on token claims.
 */
public record ClaimValues(Map<String, String> values) {
    public static final ClaimValues NONE = new ClaimValues(Map.of());

    public ClaimValues {
        values = Map.copyOf(values);
    }

    /** {@code values} from a policy document, {@code field} naming them in a refusal; absent reads as none. */
    public static ClaimValues parse(String field, Map<String, String> values) {
        if (values == null) {
            return NONE;
        }
        values.forEach((pointer, value) -> {
            if (pointer == null || !pointer.startsWith("/") || value == null) {
                throw AttestationException.invalid(field + "." + pointer, "keys are JSON pointers (\"/a/b\") and values text");
            }
        });
        return new ClaimValues(values);
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** Why {@code claims} do not hold the value required at {@code pointer}; empty when they do. */
    public Optional<String> unmet(JsonNode claims, String pointer) {
        JsonNode have = claims.at(pointer);
        if (have.isMissingNode()) {
            return Optional.of("the claims have no such value");
        }
        if (have.isContainerNode()) {
            return Optional.of("is a table, not a value");
        }
        String want = values.get(pointer);
        return have.asText().equals(want) ? Optional.empty() : Optional.of("is '" + have.asText() + "', the policy requires '" + want + "'");
    }

    /** Whether {@code claims} hold every value. */
    public boolean metBy(JsonNode claims) {
        return values.keySet().stream().allMatch(p -> unmet(claims, p).isEmpty());
    }
}
