// SPDX-License-Identifier: Apache-2.0
package dev.guestattest.core.tee;

import java.util.Objects;

/**
 * An option of {@code verify} that a TEE declares, so that the CLI derives its per-TEE options:
 * the evidence itself ({@code --tdx QUOTE}), a file that becomes an aux part of the evidence
 * (CCA's {@code --cpak} → {@code cpak}), a value or a JSON file that becomes a field of the TEE's
 * own policy rules (s390's {@code --config-uid} → {@code tee_rules.s390.config_uid}), or the
 * generic {@code --root}, which {@code required} makes mandatory for this TEE.
 */
public record VerifyOption(String name, String paramLabel, String description, Kind kind, String key, boolean required) {
    public enum Kind {
        /** The evidence file; {@code key} is unused. */
        EVIDENCE,
        /** A file whose bytes become aux part {@code key}. */
        AUX_FILE,
        /** Text that becomes field {@code key} of the TEE's rules. */
        RULE_TEXT,
        /** A JSON file that becomes field {@code key} of the TEE's rules. */
        RULE_JSON_FILE,
        /** The generic {@code --root}; declared only to make it required. */
        ROOTS
    }

    public VerifyOption {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(key, "key");
        if (!name.startsWith("--")) {
            throw new IllegalArgumentException("option " + name + " must start with --");
        }
    }

    public static VerifyOption evidence(String tee, String paramLabel, String description) {
        return new VerifyOption("--" + tee, paramLabel, description, Kind.EVIDENCE, "", true);
    }

    public static VerifyOption aux(String name, String paramLabel, String description, String part, boolean required) {
        return new VerifyOption(name, paramLabel, description, Kind.AUX_FILE, part, required);
    }

    public static VerifyOption rule(String name, String paramLabel, String description, String field) {
        return new VerifyOption(name, paramLabel, description, Kind.RULE_TEXT, field, false);
    }

    public static VerifyOption ruleFile(String name, String paramLabel, String description, String field) {
        return new VerifyOption(name, paramLabel, description, Kind.RULE_JSON_FILE, field, false);
    }

    public static VerifyOption requiredRoots(String description) {
        return new VerifyOption("--root", "PEM", description, Kind.ROOTS, "", true);
    }
}
